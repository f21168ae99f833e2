// The page's calls to the server and its one message line.
'use strict';

export const $ = (id) => document.getElementById(id);

// fetch() that throws the server's one-sentence refusal ({"detail": ...}) as an Error.
export async function api(method, url, body, headers = {}) {
  const response = await fetch(url, {method, body, headers, credentials: 'same-origin'});
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try { detail = (await response.json()).detail; } catch (err) { /* not JSON */ }
    throw new Error(detail);
  }
  return response;
}
export const getJson = async (url) => (await api('GET', url)).json();
export const sendJson = async (method, url, value) =>
  (await api(method, url, JSON.stringify(value), {'Content-Type': 'application/json'})).json();

// The message floats over the page (it never moves the frame under the cursor); an error stays
// until the next action, a note until the next message.
export function showMessage(text, kind = 'error') {
  const box = $('message');
  box.textContent = text;
  box.className = kind;
  box.hidden = false;
}
export const clearMessage = () => { $('message').hidden = true; };
const clearError = () => { if ($('message').className === 'error') clearMessage(); };

// An event handler running `action`: a previous error goes, a refusal becomes the message.
export function guarded(action) {
  return async (event) => {
    clearError();
    try { await action(event); } catch (err) { showMessage(err.message); }
  };
}
