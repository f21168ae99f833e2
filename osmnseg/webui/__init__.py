"""osmnseg.webui: the interactive web app (``python tools/webui.py CONFIG CHECKPOINT``).

A FastAPI app serving one static page (``static/``: plain HTML, JS and CSS, no build step) and a
JSON/bytes API around the inference core (``osmnseg.apis.inference.core.InferenceCore``):

    sessions.py     browser sessions (cookie) and their clips, limits, temporary files
    disk_budget.py  the server's disk budget (``--max-disk-gb``)
    clips.py        one clip on disk: frames as image files, masks as PNGs, edited frames
    history.py      undo and redo of a frame's edits
    strokes.py      brush strokes (points, radius) and their pixels
    grabcut.py      a mask from a box and inside / outside strokes (OpenCV's GrabCut)
    media.py        decoding uploads (MP4, zip of frames, index PNGs) and encoding exports
    catalog.py      the sequences of the config's data set
    propagation.py  the background worker that steps the core frame after frame
    upload_limit.py the request-body size limit (``--max-upload-mb``)
    errors.py       the errors that are not about the input's content (404, 409, 507)
    mask_routes.py  the routes that read and edit masks
    app.py          the other routes and the app

This package sits above ``osmnseg.apis``; nothing below imports it. It needs the ``webui`` extra
(``pip install -e ".[webui]"``).
"""
