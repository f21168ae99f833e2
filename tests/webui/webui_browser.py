"""Driving the page in headless chromium (selenium): waits, mouse drags in frame pixels, the
page's state and the server's masks as the page sees them."""
import base64
import shutil

import numpy as np

from requirements import chromium

WAIT_S = 120
# Runs in the page: reads `state` of static/view.js (the module instance the page uses); the
# expression is part of the script, as the page's Content-Security-Policy forbids eval.
PAGE_STATE = ("const done = arguments[0];"
              "import('/static/view.js').then(({{state}}) => done({expression}));")
SERVER_MASK = ("const [url, done] = arguments;"
               "fetch(url).then((r) => r.arrayBuffer()).then((buffer) => {"
               "  const bytes = new Uint8Array(buffer); let text = '';"
               "  for (let i = 0; i < bytes.length; i += 32768) {"
               "    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768)); }"
               "  done(btoa(text)); });")


def start_browser(download_dir):
    """Headless chromium whose downloads go to ``download_dir`` (``driver.download_dir``)."""
    from selenium import webdriver
    options = webdriver.ChromeOptions()
    options.binary_location = chromium()
    for argument in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage',
                     '--window-size=1400,1000'):
        options.add_argument(argument)
    options.add_experimental_option('prefs', {'download.default_directory': str(download_dir),
                                              'download.prompt_for_download': False})
    driver = webdriver.Chrome(service=webdriver.ChromeService(
        executable_path=shutil.which('chromedriver')), options=options)
    driver.download_dir = download_dir
    return driver


def wait(driver, condition):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, WAIT_S).until(lambda _: condition())


def element(driver, element_id):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.ID, element_id)


def text(driver, element_id):
    return element(driver, element_id).text


def page_state(driver, expression):
    """The value of ``expression`` (JavaScript over ``state``) in the page."""
    return driver.execute_async_script(PAGE_STATE.format(expression=expression))


def settled(driver):
    """Wait until every edit the page drew has been answered."""
    wait(driver, lambda: page_state(driver, 'state.unsent === 0 && !state.stroke'))


def server_mask(driver, frame, size):
    """Frame ``frame``'s mask as the server holds it, fetched by the page: ``[H, W] uint8``."""
    clip_id = page_state(driver, 'state.clip.id')
    data = driver.execute_async_script(SERVER_MASK, f'/api/clips/{clip_id}/masks/{frame}')
    return np.frombuffer(base64.b64decode(data), np.uint8).reshape(size)


def choose_tool(driver, tool, size=None):
    """Pick ``tool`` (box, inside, outside, brush, erase) and a brush diameter in pixels."""
    from selenium.webdriver.common.by import By
    driver.find_element(By.CSS_SELECTOR, f'input[name=tool][value={tool}]').click()
    if size is not None:
        driver.execute_script("arguments[0].value = arguments[1];"
                              "arguments[0].dispatchEvent(new Event('input'));",
                              element(driver, 'brush-size'), size)


def drag(driver, size, points):
    """Press the mouse at the first of ``points`` (``(x, y)`` in frame pixels), move through
    the others and release at the last."""
    from selenium.webdriver.common.action_chains import ActionChains
    canvas = element(driver, 'mask-canvas')
    scale = canvas.rect['width'] / size[1]

    def offset(point):
        return (round(point[0] * scale - canvas.rect['width'] / 2),
                round(point[1] * scale - canvas.rect['height'] / 2))
    actions = ActionChains(driver, duration=0)
    actions.move_to_element_with_offset(canvas, *offset(points[0])).click_and_hold()
    for point in points[1:]:
        actions.move_to_element_with_offset(canvas, *offset(point))
    actions.release().perform()


def go_to_frame(driver, index):
    """Press the arrow keys all at once (quick presses must all count)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    current = page_state(driver, 'state.target')
    if index != current:
        key = Keys.ARROW_RIGHT if index > current else Keys.ARROW_LEFT
        driver.find_element(By.TAG_NAME, 'body').send_keys(key * abs(index - current))
    wait(driver, lambda: text(driver, 'frame-label').startswith(f'frame {index} '))
