/* A queue of API requests kept in localStorage, as the scan screen keeps its own: each action
 * gets an Idempotency-Key and the device time when it is made, is sent at once when there is a
 * connection and as soon as it returns otherwise, and leaves the queue only when the server
 * has answered. The server answers a repeated key with its first answer, so an answer lost on
 * the way and a replay never record anything twice. A refusal (4xx) moves the action to the
 * "refused" list with the server's reason, except a 401: the session has ended (idle too
 * long), so the queue stays as it is and onLoggedOut asks the person to log in again.
 */
(function () {
  "use strict";

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  function nowWithZone() {
    const d = new Date();
    const pad = (n) => String(Math.abs(n)).padStart(2, "0");
    const offset = -d.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
      `${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  function describeError(result) {
    const data = result.data || {};
    const fields = Object.entries(data.errors || {})
      .map(([field, problems]) => `${field}: ${[].concat(problems).join(", ")}`).join("; ");
    return [data.message || String(result.status), fields].filter(Boolean).join(" ");
  }

  async function api(method, url, body, headers) {
    const csrf = document.querySelector('meta[name="csrf-token"]');
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: Object.assign({"Accept": "application/json", "Content-Type": "application/json",
                              "X-CSRFToken": csrf ? csrf.content : "",
                              "Accept-Language": document.documentElement.lang || "zh"}, headers || {}),
      body: JSON.stringify(body),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return {status: response.status, ok: response.ok, data};
  }

  /* name: the queue's storage name (per user); onDone(action, data), onRefused(action, result),
     onLoggedOut(), onChange() are called as actions are answered. */
  function OfflineQueue(name, handlers) {
    const QUEUE = `reserves.${name}.queue`;
    const REFUSED = `reserves.${name}.refused`;
    let sending = false;

    const self = {
      items: () => load(QUEUE, []),
      refused: () => load(REFUSED, []),
      dismiss(key) { save(REFUSED, self.refused().filter((a) => a.key !== key)); handlers.onChange(); },
      /* Queue a POST of the body; the device time goes in as occurred_at. A given key (a
         refused action sent again) is kept, so the server still records it once. */
      enqueue(action) {
        action.key = action.key || newKey();
        action.at = action.at || nowWithZone();
        action.body.occurred_at = action.body.occurred_at || action.at;
        save(QUEUE, self.items().concat([action]));
        handlers.onChange();
        return self.flush();
      },
      async flush() {
        if (sending || !navigator.onLine) { handlers.onChange(); return; }
        sending = true;
        try {
          while (self.items().length) {
            const action = self.items()[0];
            let result;
            try {
              result = await api("POST", action.url, action.body, {"Idempotency-Key": action.key});
            } catch (e) {
              break; // no connection: keep everything, try again when it returns
            }
            if (result.status >= 500 || result.status === 0) break;
            if (result.status === 401) { handlers.onLoggedOut(); break; } // keep the queue
            save(QUEUE, self.items().filter((a) => a.key !== action.key));
            if (result.ok) {
              handlers.onDone(action, result.data);
            } else {
              action.reason = describeError(result);
              action.code = result.data && result.data.code;
              save(REFUSED, self.refused().concat([action]));
              handlers.onRefused(action, result);
            }
          }
        } finally {
          sending = false;
          handlers.onChange();
        }
      },
    };
    window.addEventListener("online", () => { handlers.onChange(); self.flush(); });
    window.addEventListener("offline", () => handlers.onChange());
    return self;
  }

  window.OfflineQueue = OfflineQueue;
}());
