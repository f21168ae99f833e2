# DAVIS 2016 (spec §6.2): the 2016 sequence lists of the DAVIS-2017 package, one object per
# sequence = the union of the 2017 ids (obj_id=None, mask > 0). Pipelines and sizes as 2017.
_base_ = './davis2017.py'
data = dict(
    train=dict(version=2016),
    val=dict(version=2016),
    test=dict(version=2016))
# Scoring: DAVISMetric of ./davis2017.py (one object per sequence, masks > 0).
