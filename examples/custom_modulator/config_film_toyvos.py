# OSMN (VGG16, osvos variant) on ToyVOS with the FiLM modulator of film_modulator.py in the
# visual slot instead of the VGG16 visual modulator (docs/custom_modulator.md). Run it from the
# repository root with this folder on the Python path:
#   PYTHONPATH=examples/custom_modulator python tools/train.py \
#       examples/custom_modulator/config_film_toyvos.py
_base_ = '../../configs/osmn_vgg16_toyvos.py'
# imported when the config is loaded, which runs @MODULATORS.register_module()
custom_imports = dict(imports=['film_modulator'], allow_failed_imports=False)
model = dict(
    # _delete_: replace the inherited VGG16VisualModulator entry instead of merging into it
    visual_modulator=dict(
        _delete_=True,
        type='FiLMModulator',
        targets=('conv4_1', 'conv4_2', 'conv4_3', 'conv5_1', 'conv5_2', 'conv5_3'),
        channels=32))
