/* The depot keeper's scan screen.
 *
 * Every action that changes stock goes through one queue kept in localStorage, with its
 * Idempotency-Key and the device time at which the keeper did it. The queue is sent at
 * once when there is a connection and as soon as the connection returns otherwise; the
 * server answers a repeated key with the first answer, so replaying never double-counts.
 * An action the server refuses (4xx) leaves the queue for the "refused" list, with the
 * server's reason; nothing else is lost. A 401 refuses no action: the session has ended
 * (idle too long), so the queue stays as it is and the keeper is asked to log in again.
 */
(function () {
  "use strict";

  const app = document.getElementById("scan-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("scan-text").textContent);
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const USER = app.dataset.user;
  const QUEUE_KEY = `reserves.queue.${USER}`;
  const REFUSED_KEY = `reserves.refused.${USER}`;
  const CACHE_KEY = `reserves.lots.${USER}`;
  const $ = (id) => document.getElementById(id);

  const state = {lot: null, stocktake: null, bin: null, flushing: null, counting: false};
  // Tabs kept in scripts of their own (scan-rotation.js) hook in here: when their tab opens,
  // when a code is scanned (a hook returns true when it took the scan), when an action of
  // their type has been accepted.
  const hooks = {tabs: {}, scans: [], done: {}, ticked: []};
  const scannedIncoming = {};

  // -- small helpers --------------------------------------------------------------------

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  // Each call of a look-up makes the answers of its earlier calls stale: newest(name) returns
  // a check that says whether this call is still the newest of its name.
  const generations = {};
  function newest(name) {
    const mine = (generations[name] = (generations[name] || 0) + 1);
    return () => generations[name] === mine;
  }

  function nowWithZone() {
    const d = new Date();
    const pad = (n) => String(Math.abs(n)).padStart(2, "0");
    const offset = -d.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
      `${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  }

  // Today's date where the bureau is (not UTC, nor the phone's own zone), as the server dates lots.
  function bureauDay() {
    const zone = app.dataset.timezone || undefined;
    return new Intl.DateTimeFormat("en-CA", {timeZone: zone, year: "numeric", month: "2-digit",
                                             day: "2-digit"}).format(new Date());
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  function say(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = `flash ${kind || ""}`;
    box.hidden = !text;
  }

  function depot() { return $("depot").value; }

  function text(el, value) { el.textContent = value == null ? "" : String(value); return el; }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  async function api(method, url, body, headers) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: Object.assign({"Accept": "application/json", "X-CSRFToken": CSRF,
                              "Accept-Language": document.documentElement.lang || "zh"},
                             body !== undefined ? {"Content-Type": "application/json"} : {}, headers || {}),
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return {status: response.status, ok: response.ok, data};
  }

  // -- tabs and connection ----------------------------------------------------------------

  function showTab(name) {
    document.querySelectorAll(".tab").forEach((tab) => { tab.hidden = tab.id !== `tab-${name}`; });
    document.querySelectorAll('[role="tab"]').forEach((button) => {
      button.setAttribute("aria-selected", String(button.dataset.tab === name));
    });
    if (name === "incoming") loadIncoming();
    if (name === "count") loadStocktake();
    if (name === "queue") renderQueue();
    if (hooks.tabs[name]) hooks.tabs[name]();
  }
  document.querySelectorAll("[data-tab]").forEach((button) => {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  });

  function renderNet() {
    const net = $("net");
    net.textContent = navigator.onLine ? T.online : T.offline;
    net.className = `net ${navigator.onLine ? "online" : "offline"}`;
  }
  window.addEventListener("online", () => { renderNet(); flush(); });
  window.addEventListener("offline", renderNet);

  // -- the offline cache of lots ------------------------------------------------------------

  function cacheLots(lots) {
    const cache = load(CACHE_KEY, {});
    lots.forEach((lot) => { cache[lot.id] = lot; });
    save(CACHE_KEY, cache);
  }

  async function refreshCache() {
    const codes = (app.dataset.myDepots || "").split(",").filter(Boolean).slice(0, 20);
    for (const code of codes) {
      for (let page = 1; page < 50; page += 1) {
        const result = await api("GET", `/api/v1/lots?depot=${encodeURIComponent(code)}&in_stock=true&page=${page}&page_size=100`);
        if (!result.ok || !result.data || !result.data.length) break;
        cacheLots(result.data);
        if (result.data.length < 100) break;
      }
    }
  }

  function cachedLookup(code) {
    const cache = load(CACHE_KEY, {});
    const label = code.trim().toUpperCase().split("/Q/").pop();
    const match = /^L-(\d+)-/.exec(label);
    if (match && cache[match[1]]) return cache[match[1]];
    return Object.values(cache).find((lot) => lot.code === code.trim() && lot.depot === depot()) ||
      Object.values(cache).find((lot) => lot.code === code.trim()) || null;
  }

  // -- the queue ------------------------------------------------------------------------------

  function queue() { return load(QUEUE_KEY, []); }

  function pendingOut(lotId) {
    return queue().filter((a) => a.lot === lotId && a.delta).reduce((sum, a) => sum + a.delta, 0);
  }

  function enqueue(action) {
    action.key = newKey();
    action.at = nowWithZone();
    if (action.body && action.stamp !== false) action.body.occurred_at = action.at;
    const items = queue();
    items.push(action);
    save(QUEUE_KEY, items);
    renderQueue();
    return flush().then(() => action);
  }

  function renderQueue() {
    const items = queue();
    const refused = load(REFUSED_KEY, []);
    $("queue-count").textContent = String(items.length);
    $("queue-badge").hidden = items.length === 0 && refused.length === 0;
    const list = $("queue-list");
    list.replaceChildren(...items.map((a) => el("li", {text: `${a.at.slice(5, 16).replace("T", " ")} · ${T.actions[a.type] || a.type} · ${a.summary || ""}`})));
    $("refused-list").replaceChildren(...refused.map((a) => el("li", {}, [
      el("b", {text: `${T.actions[a.type] || a.type} · ${a.summary || ""}`}),
      el("br"), el("span", {class: "bad", text: a.reason || ""}),
      el("button", {type: "button", class: "link", text: "×", "aria-label": "dismiss", onclick: () => {
        save(REFUSED_KEY, load(REFUSED_KEY, []).filter((r) => r.key !== a.key)); renderQueue();
      }}),
    ])));
  }

  async function send(action) {
    const headers = {"Idempotency-Key": action.key};
    if (action.type === "transfer") {
      const created = await api("POST", "/api/v1/transfers", action.body, {"Idempotency-Key": `${action.key}-create`});
      if (!created.ok) return created;
      const dispatched = await api("POST", `/api/v1/transfers/${created.data.id}/dispatch`,
        {occurred_at: action.at}, {"Idempotency-Key": `${action.key}-dispatch`});
      return dispatched;
    }
    return api(action.method || "POST", action.url, action.body, headers);
  }

  function describeError(result) {
    const data = result.data || {};
    const fields = Object.entries(data.errors || {})
      .map(([field, problems]) => `${field}: ${[].concat(problems).join(", ")}`).join("; ");
    return [data.message || String(result.status), fields].filter(Boolean).join(" ");
  }

  // Send the queued actions in order; a second call while sending waits for the same run.
  function flush() {
    if (!state.flushing) state.flushing = sendQueued().finally(() => { state.flushing = null; });
    return state.flushing;
  }

  async function sendQueued() {
    if (!navigator.onLine) { renderQueue(); return; }
    try {
      while (queue().length) {
        const action = queue()[0];
        let result;
        try {
          result = await send(action);
        } catch (e) {
          break; // no connection: keep everything, try again when it returns
        }
        if (result.status >= 500 || result.status === 0) break;
        $("relogin").hidden = result.status !== 401;
        if (result.status === 401) break; // logged out: keep everything until logged in again
        save(QUEUE_KEY, queue().filter((a) => a.key !== action.key));
        if (result.ok) {
          done(action, result.data);
        } else {
          const refused = load(REFUSED_KEY, []);
          action.reason = describeError(result);
          refused.push(action);
          save(REFUSED_KEY, refused);
          say(`${T.refused}: ${T.actions[action.type] || action.type} · ${action.reason}`, "error");
        }
      }
    } finally {
      renderQueue();
    }
  }

  // What to show once the server has accepted an action.
  function done(action, data) {
    const movements = (data && data.movements) || [];
    if (movements.length) showResult(movements);
    if (action.type === "receive" && data.lot) {
      cacheLots([data.lot]);
      say(`${T.receive_done}: ${data.lot.item_name} ${data.lot.code} × ${data.lot.quantity}`, "ok");
      showLot(data.lot);
      showTab("lot");
    } else if (action.type === "count") {
      say(T.count_done, "ok");
      if (state.stocktake) loadStocktake();
    } else if (action.type === "transfer_receive") {
      say(T.received, "ok");
      loadIncoming();
    } else if (action.type === "reverse") {
      say(T.reversed, "ok");
    } else if (hooks.done[action.type]) {
      hooks.done[action.type](action, data);
    } else {
      say(`${T.sent}: ${T.actions[action.type] || action.type} · ${action.summary || ""}`, "ok");
    }
    if (state.lot && movements.some((m) => m.lot === state.lot.id)) refreshLot(state.lot.id);
  }

  // -- scanning -------------------------------------------------------------------------------

  // A lot scanned on the incoming tab ticks its line on the transfer instead.
  function tickIncoming(code) {
    if ($("tab-incoming").hidden) return false;
    const match = /L-(\d+)-/.exec(code.toUpperCase());
    const row = match && document.querySelector(`#incoming-list tr[data-lot="${match[1]}"]`);
    if (!row) return false;
    scannedIncoming[match[1]] = true;
    row.querySelector(".scan-mark").textContent = `✓ ${T.scanned}`;
    hooks.ticked.forEach((hook) => hook(code, row));
    row.querySelector("input").focus();
    return true;
  }

  async function lookup(code) {
    code = code.trim();
    if (!code || tickIncoming(code) || hooks.scans.some((hook) => hook(code))) return;
    say("");
    showTab("lot");
    // Labels scanned in quick succession: only the last one's answer is shown.
    const current = newest("lookup");
    let result;
    try {
      result = await api("GET", `/api/v1/scan?code=${encodeURIComponent(code)}`);
    } catch (e) {
      if (!current()) return;
      const cached = cachedLookup(code);
      if (cached) { showLot(cached); say(T.offline_cached, "warn"); } else { say(`${T.network_error} · ${T.not_found}`, "error"); }
      return;
    }
    if (!current()) return;
    if (!result.ok) { say((result.data && result.data.message) || T.not_found, "error"); return; }
    const data = result.data;
    if (data.kind === "lot") {
      cacheLots([data.lot]);
      showLot(data.lot);
      if (state.counting) openForm("count");
    } else if (data.kind === "lots") {
      showChoices(data.lots);
    } else {
      if (data.depot && [...$("depot").options].some((o) => o.value === data.depot.code)) {
        $("depot").value = data.depot.code;
      }
      state.bin = data.kind === "bin" ? data.bin : null;
      text($("receive-bin"), state.bin ? `${state.bin.code} ${state.bin.name || ""}` : "");
      showTab("receive");
    }
  }

  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("scan-code");
    const code = input.value;
    input.value = "";
    lookup(code);
  });

  let camera = null;
  $("camera-toggle").addEventListener("click", async () => {
    const box = $("camera");
    if (camera) { await camera.stop().catch(() => {}); camera = null; box.hidden = true; return; }
    if (!window.Html5Qrcode) { say(T.camera_error, "error"); return; }
    box.hidden = false;
    camera = new window.Html5Qrcode("camera");
    camera.start({facingMode: "environment"}, {fps: 10, qrbox: 240}, (decoded) => {
      camera.pause(true);
      lookup(decoded).finally(() => setTimeout(() => camera && camera.resume(), 1200));
    }).catch(() => { say(T.camera_error, "error"); box.hidden = true; camera = null; });
  });

  // -- the lot card ---------------------------------------------------------------------------

  function showChoices(lots) {
    $("lot-card").hidden = true;
    $("lot-empty").hidden = true;
    $("lot-choices").hidden = false;
    $("lot-choice-list").replaceChildren(...lots.map((lot) => el("li", {}, [
      el("button", {type: "button", class: "link", onclick: () => { $("lot-choices").hidden = true; showLot(lot); },
        text: `${lot.item_name} · ${lot.code} · ${lot.depot_name || lot.depot} · ${lot.quantity}`}),
    ])));
  }

  async function refreshLot(id) {
    const result = await api("GET", `/api/v1/lots/${id}`).catch(() => null);
    if (result && result.ok) {
      const lot = Object.assign({}, state.lot && state.lot.id === id ? state.lot : {}, result.data);
      cacheLots([lot]);
      if (state.lot && state.lot.id === id) showLot(lot);
    }
  }

  function showLot(lot) {
    state.lot = lot;
    $("lot-empty").hidden = true;
    $("lot-choices").hidden = true;
    $("lot-card").hidden = false;
    text($("lot-title"), `${lot.item_name} (${lot.item})`);
    text($("lot-code"), lot.code);
    text($("lot-depot"), `${lot.depot_name || ""} ${lot.depot}`);
    text($("lot-quantity"), lot.quantity);
    text($("lot-unit"), lot.unit);
    const pending = pendingOut(lot.id);
    text($("lot-pending"), pending ? `(${T.pending} ${pending})` : "");
    const expiry = $("lot-expiry");
    expiry.className = "";
    if (lot.expires_on) {
      const days = Math.round((new Date(lot.expires_on) - new Date(new Date().toDateString())) / 86400000);
      text(expiry, `${lot.expires_on} (${days < 0 ? T.expired : `${T.days_left} ${days}`})`);
      if (days < 0) expiry.className = "bad"; else if (days <= 90) expiry.className = "warn";
    } else {
      text(expiry, T.long_term);
    }
    const status = $("lot-status");
    status.replaceChildren(el("span", {class: `status ${lot.status}`, text: T.statuses[lot.status] || lot.status}));
    const mine = lot.can_move !== undefined ? lot.can_move :
      (app.dataset.role === "admin" || (app.dataset.myDepots || "").split(",").includes(lot.depot));
    $("lot-actions").querySelectorAll("button").forEach((b) => { b.hidden = !mine; });
    $("lot-readonly").hidden = mine;
    $("lot-print").href = `/labels.pdf?lot=${lot.id}`;
    document.querySelectorAll(".action-form[data-form]").forEach((f) => {
      if (f.closest("#lot-card")) f.hidden = true;
    });
  }

  function available() {
    return state.lot ? state.lot.quantity + pendingOut(state.lot.id) : 0;
  }

  function openForm(name) {
    document.querySelectorAll("#lot-card .action-form").forEach((f) => { f.hidden = f.dataset.form !== name; });
    const form = $(`form-${name}`);
    if (name === "count") {
      text($("count-hint"), state.stocktake ? `${state.stocktake.number}` : T.no_open_count);
    }
    const quantity = form.querySelector('[name="quantity"]');
    if (quantity) quantity.max = String(available());
    const first = form.querySelector("input, select");
    if (first) first.focus();
  }
  $("lot-actions").querySelectorAll("button[data-action]").forEach((button) => {
    button.addEventListener("click", () => openForm(button.dataset.action));
  });

  function formData(form) {
    const data = {};
    new FormData(form).forEach((value, key) => { if (String(value).trim() !== "") data[key] = String(value).trim(); });
    return data;
  }

  // Mistakes are explained under the field in the app's own words (the forms are novalidate,
  // so the browser's bubbles, in the phone's language and not ours, never show).
  function fieldName(input) {
    const label = input.closest("label");
    return label ? label.firstChild.textContent.trim() : input.name;
  }

  function fieldError(input, message) {
    let note = input.parentElement.querySelector(".field-error");
    if (!note) {
      note = el("span", {class: "field-error", role: "alert"});
      input.insertAdjacentElement("afterend", note);
    }
    text(note, message);
    input.setAttribute("aria-invalid", "true");
    input.addEventListener("input", () => { note.remove(); input.removeAttribute("aria-invalid"); }, {once: true});
  }

  function validate(form, maxQuantity) {
    form.querySelectorAll(".field-error").forEach((note) => note.remove());
    for (const input of form.querySelectorAll("input[name], select[name]")) {
      const value = input.value.trim();
      const name = fieldName(input);
      if (input.required && value === "") {
        fieldError(input, T.need_field.replace("{field}", name));
        input.focus();
        return false;
      }
      if (input.type === "number" && value !== "" && input.step === "1") {
        const number = Number(value);
        const least = Number(input.min || 0);
        if (!Number.isInteger(number) || number < least) {
          fieldError(input, (least > 0 ? T.whole_number : T.not_negative).replace("{field}", name));
          input.focus();
          return false;
        }
        if (input.name === "quantity" && maxQuantity !== undefined && number > maxQuantity) {
          fieldError(input, T.too_many.replace("{n}", maxQuantity));
          input.focus();
          return false;
        }
      }
    }
    return true;
  }

  function checkQuantity(form) {
    return validate(form, available());
  }

  $("form-issue").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const data = formData(form);
    if (!checkQuantity(form)) return;
    const quantity = Number(data.quantity);
    const lot = state.lot;
    enqueue({type: "issue", url: "/api/v1/issues", lot: lot.id, delta: -quantity,
             summary: `${lot.item_name} ${lot.code} −${quantity}`,
             body: {lot: lot.id, quantity, reason: data.reason, recipient: data.recipient || null,
                    reference: data.reference || null}});
    form.reset();
    form.hidden = true;
    if (!navigator.onLine) { say(T.queued, "warn"); showLot(lot); }
  });

  $("form-write_off").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const data = formData(form);
    if (!checkQuantity(form)) return;
    const quantity = Number(data.quantity);
    const lot = state.lot;
    enqueue({type: "write_off", url: "/api/v1/write-offs", lot: lot.id, delta: -quantity,
             summary: `${lot.item_name} ${lot.code} −${quantity}`,
             body: {lot: lot.id, quantity, reason: data.reason}});
    form.reset();
    form.hidden = true;
    if (!navigator.onLine) { say(T.queued, "warn"); showLot(lot); }
  });

  $("form-transfer").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const data = formData(form);
    if (!checkQuantity(form)) return;
    const quantity = Number(data.quantity);
    const lot = state.lot;
    enqueue({type: "transfer", lot: lot.id, delta: -quantity, stamp: false,
             summary: `${lot.item_name} ${lot.code} −${quantity} → ${data.to_depot}`,
             body: {from_depot: lot.depot, to_depot: data.to_depot, reason: data.reason || null,
                    lines: [{lot: lot.id, quantity}]}});
    form.reset();
    form.hidden = true;
    if (!navigator.onLine) { say(T.queued, "warn"); showLot(lot); }
  });

  $("form-count").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    if (!state.stocktake || state.stocktake.status !== "counting") { say(T.no_open_count, "error"); return; }
    if (!validate(form)) return;
    const counted = Number(formData(form).counted);
    const lot = state.lot;
    enqueue({type: "count", url: `/api/v1/stocktakes/${state.stocktake.id}/counts`, stamp: false,
             summary: `${lot.item_name} ${lot.code} = ${counted}`,
             body: {lot: lot.id, counted}});
    form.reset();
    form.hidden = true;
    if (!navigator.onLine) say(T.queued, "warn");
  });

  // -- results and reversals --------------------------------------------------------------------

  function showResult(movements) {
    $("result").hidden = false;
    $("result-rows").replaceChildren(...movements.map((m) => el("tr", {}, [
      el("td", {text: T.kinds[m.kind] || m.kind}),
      el("td", {text: m.lot_code || m.lot}),
      el("td", {class: `num ${m.quantity < 0 ? "out" : "in"}`, text: m.quantity > 0 ? `+${m.quantity}` : String(m.quantity)}),
      el("td", {class: "num", text: m.balance_after}),
      el("td", {}, m.kind === "reversal" || m.kind.startsWith("transfer") ? [] : [
        el("button", {type: "button", class: "link", text: T.reverse, onclick: () => reverse(m)}),
      ]),
    ])));
  }

  function reverse(movement) {
    const reason = window.prompt(T.reverse_reason);
    if (!reason || !reason.trim()) return;
    enqueue({type: "reverse", url: "/api/v1/reversals", lot: movement.lot, delta: -movement.quantity,
             summary: `${movement.lot_code || movement.lot} ${-movement.quantity}`,
             body: {movement: movement.id, reason: reason.trim()}});
  }

  // -- receiving ------------------------------------------------------------------------------

  let searchTimer = null;
  if ($("form-receive")) $("item-search").addEventListener("input", (event) => {
    clearTimeout(searchTimer);
    const q = event.target.value.trim();
    searchTimer = setTimeout(async () => {
      if (!q) { $("item-results").replaceChildren(); return; }
      const result = await api("GET", `/api/v1/items?q=${encodeURIComponent(q)}`).catch(() => null);
      if (!result || !result.ok) return;
      $("item-results").replaceChildren(...result.data.slice(0, 8).map((item) => el("li", {}, [
        el("button", {type: "button", class: "link", text: `${item.name_zh} · ${item.code} · ${item.unit}`,
          onclick: () => {
            const form = $("form-receive");
            form.querySelector("[name=item]").value = item.code;
            text($("item-chosen"), `${item.name_zh}（${item.code}，${item.unit}）`);
            $("item-results").replaceChildren();
            $("item-search").value = "";
          }}),
      ])));
    }, 200);
  });

  if ($("form-receive")) $("form-receive").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const data = formData(form);
    if (!depot()) { say(T.need_depot, "error"); return; }
    if (!data.item) { say(T.need_item, "error"); return; }
    if (!validate(form)) return;
    const body = {depot: depot(), item: data.item, quantity: Number(data.quantity),
                  lot_code: data.lot_code || null, manufactured_on: data.manufactured_on || null,
                  expires_on: data.expires_on || null, source: data.source,
                  accept_expired: data.accept_expired === "on",
                  unit_cost: data.unit_cost ? Number(data.unit_cost) : null,
                  reference: data.reference || null};
    if (state.bin) body.bin = state.bin.code;
    if (!body.lot_code) body.lot_code = `${bureauDay().replace(/-/g, "")}-${newKey().slice(0, 6).toUpperCase()}`;
    enqueue({type: "receive", url: "/api/v1/receipts", summary: `${data.item} ${body.lot_code} +${body.quantity}`, body});
    form.reset();
    text($("item-chosen"), "");
    if (!navigator.onLine) say(T.queued, "warn");
  });

  // -- transfers in ----------------------------------------------------------------------------

  async function loadIncoming() {
    const list = $("incoming-list");
    const current = newest("incoming");
    const result = await api("GET", `/api/v1/transfers?depot=${encodeURIComponent(depot())}&status=dispatched`).catch(() => null);
    if (!current()) return;  // the keeper has since switched depots or reopened the tab
    if (!result || !result.ok) { list.replaceChildren(el("p", {class: "muted", text: T.network_error})); return; }
    const transfers = result.data.filter((t) => t.to_depot === depot());
    if (!transfers.length) { list.replaceChildren(el("p", {class: "muted", text: T.no_incoming})); return; }
    list.replaceChildren(...transfers.map((transfer) => {
      const rows = transfer.lines.map((line) => el("tr", {"data-lot": line.lot}, [
        el("td", {text: `${line.item_name} ${line.lot_code}`}),
        el("td", {class: "num", text: line.quantity}),
        el("td", {class: "num"}, [el("input", {type: "number", min: "0", max: String(line.quantity), step: "1",
          value: String(line.quantity), "data-lot": line.lot, "aria-label": T.actual})]),
        el("td", {class: "scan-mark", text: scannedIncoming[line.lot] ? `✓ ${T.scanned}` : ""}),
      ]));
      const form = el("form", {class: "incoming", "data-transfer": transfer.id}, [
        el("h3", {}, [el("a", {href: `/transfers/${encodeURIComponent(transfer.number)}`, text: transfer.number}),
          ` · ${transfer.from_depot}`]),
        el("table", {}, [el("thead", {}, [el("tr", {}, [el("th", {text: ""}), el("th", {class: "num", text: T.expected}),
          el("th", {class: "num", text: T.actual}), el("th", {text: ""})])]), el("tbody", {}, rows)]),
        el("button", {type: "submit", text: T.confirm_receive}),
      ]);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const lines = [...form.querySelectorAll("input[data-lot]")].map((input) => ({lot: Number(input.dataset.lot), quantity: Number(input.value)}));
        enqueue({type: "transfer_receive", url: `/api/v1/transfers/${transfer.id}/receive`,
                 summary: transfer.number, body: {lines}});
      });
      return form;
    }));
  }


  // -- stocktake ------------------------------------------------------------------------------

  // A look-up answered after the keeper started or submitted a count is stale too.
  function setStocktake(stocktake) {
    newest("stocktake");
    state.stocktake = stocktake;
    renderStocktake();
  }

  async function loadStocktake() {
    const current = newest("stocktake");
    const result = await api("GET", `/api/v1/stocktakes?depot=${encodeURIComponent(depot())}&status=counting`).catch(() => null);
    let open = result && result.ok && result.data.length ? result.data[0] : null;
    if (!open) {
      const submitted = await api("GET", `/api/v1/stocktakes?depot=${encodeURIComponent(depot())}&status=submitted`).catch(() => null);
      open = submitted && submitted.ok && submitted.data.length ? submitted.data[0] : null;
    }
    const detail = open ? await api("GET", `/api/v1/stocktakes/${open.id}`) : null;
    if (!current()) return;
    state.stocktake = detail ? detail.data : null;
    renderStocktake();
  }

  function renderStocktake() {
    const st = state.stocktake;
    $("count-none").hidden = Boolean(st);
    $("count-open").hidden = !st;
    state.counting = Boolean(st && st.status === "counting");
    if (!st) return;
    text($("count-number"), st.number);
    text($("count-status"), st.status === "counting" ? T.actions.count : T.submitted);
    $("count-submit").hidden = st.status !== "counting";
    $("count-counted").replaceChildren(...st.counts.map((c) => el("tr", {}, [
      el("td", {text: c.lot.item_name}), el("td", {text: c.lot.code}),
      el("td", {class: "num", text: c.expected}), el("td", {class: "num", text: c.counted}),
      el("td", {class: `num ${c.variance ? "bad" : ""}`, text: c.variance > 0 ? `+${c.variance}` : String(c.variance)}),
    ])));
    $("count-uncounted").replaceChildren(...st.uncounted.map((lot) => el("li", {text: `${lot.item_name} · ${lot.code} · ${lot.quantity}`})));
  }

  async function submitStocktake() {
    $("count-confirm").hidden = true;
    const result = await api("POST", `/api/v1/stocktakes/${state.stocktake.id}/submit`, undefined, {"Idempotency-Key": newKey()});
    if (!result.ok) { say(result.data ? result.data.message : T.network_error, "error"); return; }
    setStocktake(result.data);
    say(T.submitted, "ok");
  }

  if ($("count-start")) {
    $("count-start").addEventListener("click", async () => {
      const result = await api("POST", "/api/v1/stocktakes", {depot: depot()}, {"Idempotency-Key": newKey()});
      if (!result.ok) { say(result.data ? result.data.message : T.network_error, "error"); return; }
      setStocktake(result.data);
    });
    // Uncounted lots stay at their book quantity: say how many before the keeper submits.
    $("count-submit").addEventListener("click", () => {
      const left = state.stocktake.uncounted.length;
      if (!left) { submitStocktake(); return; }
      text($("count-confirm-text"), T.count_uncounted.replace("{n}", left));
      $("count-confirm").hidden = false;
      $("count-confirm-submit").focus();
    });
    $("count-confirm-submit").addEventListener("click", submitStocktake);
    $("count-confirm-cancel").addEventListener("click", () => { $("count-confirm").hidden = true; });
  }

  $("queue-send").addEventListener("click", flush);
  const DEPOT_KEY = `reserves.depot.${USER}`;
  const remembered = localStorage.getItem(DEPOT_KEY);
  if (remembered && [...$("depot").options].some((o) => o.value === remembered)) $("depot").value = remembered;
  $("depot").addEventListener("change", () => {
    localStorage.setItem(DEPOT_KEY, depot());
    const active = document.querySelector('[role="tab"][aria-selected="true"]');
    if (active) showTab(active.dataset.tab);
  });

  window.scanScreen = {T, app, api, enqueue, queue, flush, el, text, say, depot, load, save,
                       showTab, hooks, newest};

  // -- start ----------------------------------------------------------------------------------

  renderNet();
  renderQueue();
  flush();
  if (navigator.onLine) refreshCache().catch(() => {});
  if ($("count-start")) loadStocktake().catch(() => {});
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/scan/sw.js", {scope: "/scan/"}).catch(() => {});
  }
  const initial = new URLSearchParams(location.search).get("code");
  if (initial) lookup(initial);
})();
