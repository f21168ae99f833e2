"""osmnseg.webui: the interactive web app (``python tools/webui.py CONFIG CHECKPOINT``).

A FastAPI app serving one static page (``static/``: plain HTML, JS and CSS, no build step) and a
JSON/bytes API around the inference core (``osmnseg.apis.inference.core.InferenceCore``):

    sessions.py     browser sessions (cookie) and their clips, limits, temporary files
    clips.py        one clip on disk: frames and masks as memory-mapped arrays, edited frames
    media.py        decoding uploads (MP4, zip of frames, index PNGs) and encoding exports
    catalog.py      the sequences of the config's data set
    propagation.py  the background worker that steps the core frame after frame
    upload_limit.py the request-body size limit (``--max-upload-mb``)
    errors.py       the errors that are not about the input's content (404, 409)
    app.py          the routes

This package sits above ``osmnseg.apis``; nothing below imports it. It needs the ``webui`` extra
(``pip install -e ".[webui]"``).
"""
