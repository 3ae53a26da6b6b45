/* The scan screen's rotation tab: the open rotation work orders of the current depot, lot by
 * lot. Scanning a lot of an order ticks its line; the keeper checks the quantity and sends it
 * out ("rotation out"), which goes through the screen's queue like every other action, so it
 * waits on the phone without a signal and is never counted twice. The orders are kept on the
 * phone too, so the tab opens offline; quantities waiting in the queue are taken off what a
 * line still holds to send.
 */
(function () {
  "use strict";

  const screen = window.scanScreen;
  if (!screen || !document.getElementById("tab-rotation")) return;
  const {T, app, api, enqueue, queue, el, say, depot, load, save, showTab, hooks, newest} = screen;
  const CACHE_KEY = `reserves.rotation.${app.dataset.user}`;
  const list = document.getElementById("rotation-list");
  const scanned = {};

  function cached() { return load(CACHE_KEY, {})[depot()] || []; }

  function remember(orders) {
    const all = load(CACHE_KEY, {});
    all[depot()] = orders;
    save(CACHE_KEY, all);
  }

  // Units of a line waiting in the queue (sent offline, not yet accepted).
  function waiting(line) {
    return queue().filter((a) => a.type === "rotation" && a.body.line === line.id)
      .reduce((sum, a) => sum + a.body.quantity, 0);
  }

  async function loadOrders() {
    const current = newest("rotation");  // a depot switched since makes this answer stale
    let orders = cached();
    try {
      const result = await api("GET", `/api/v1/rotation-orders?depot=${encodeURIComponent(depot())}&state=open`);
      if (!current()) return;
      if (result.ok) { orders = result.data; remember(orders); }
    } catch (e) {
      if (!current()) return;
      say(T.offline_cached, "warn");
    }
    render(orders);
  }

  function render(orders) {
    if (!orders.length) { list.replaceChildren(el("p", {class: "muted", text: T.no_rotation})); return; }
    list.replaceChildren(...orders.map((order) => el("div", {class: "rotation-order"}, [
      el("h3", {}, [el("a", {href: `/rotation-orders/${encodeURIComponent(order.number)}`, text: order.number}),
        ` · ${order.month.slice(0, 7)}`]),
      el("table", {}, [el("tbody", {}, order.lines.map((line) => row(order, line)))]),
    ])));
  }

  function row(order, line) {
    const left = Math.max(0, line.left - waiting(line));
    const input = el("input", {type: "number", min: "1", max: String(left), step: "1", inputmode: "numeric",
      value: String(left), "aria-label": T.rotate});
    const button = el("button", {type: "button", text: T.rotate});
    button.disabled = !scanned[line.lot] || left === 0;
    button.addEventListener("click", () => send(order, line, input, left));
    return el("tr", {"data-lot": String(line.lot), "data-line": String(line.id)}, [
      el("td", {}, [el("b", {text: `${line.item_name} ${line.lot_code}`}), el("br"),
        `${T.outlet}: ${line.outlet}`]),
      el("td", {class: "num", text: `${T.left} ${left}`}),
      el("td", {class: "num"}, left ? [input] : []),
      el("td", {class: "scan-mark", text: left === 0 ? "✓" : (scanned[line.lot] ? `✓ ${T.scanned}` : "")}),
      el("td", {}, left ? [button] : []),
    ]);
  }

  function send(order, line, input, left) {
    const quantity = Number(input.value);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > left) {
      say(T.too_many.replace("{n}", left), "error");
      input.focus();
      return;
    }
    enqueue({type: "rotation", url: `/api/v1/rotation-orders/${order.id}/scans`,
             lot: line.lot, delta: -quantity,
             summary: `${order.number} ${line.lot_code} → ${line.outlet} −${quantity}`,
             body: {lot: line.lot, line: line.id, quantity}});
    delete scanned[line.lot];
    if (!navigator.onLine) say(T.queued, "warn");
    render(cached());
  }

  // A scan on the rotation tab picks the lot's line: by its label (L-<id>-…) or its code.
  function pick(code) {
    if (document.getElementById("tab-rotation").hidden) return false;
    const match = /L-(\d+)-/.exec(code.toUpperCase());
    const lines = cached().flatMap((order) => order.lines);
    const line = lines.find((l) => (match ? String(l.lot) === match[1] : l.lot_code === code.trim()));
    if (!line) { say(T.not_on_order, "error"); return true; }
    scanned[line.lot] = true;
    say("");
    render(cached());
    const input = list.querySelector(`tr[data-lot="${line.lot}"] input`);
    if (input) input.focus();
    return true;
  }

  hooks.tabs.rotation = loadOrders;
  hooks.scans.push(pick);
  hooks.done.rotation = (action) => {
    say(`${T.rotated}: ${action.summary}`, "ok");
    if (!document.getElementById("tab-rotation").hidden) loadOrders();
  };
  if (location.hash === "#rotation") showTab("rotation");
})();
