/* The distribution screen: a household, its items and the recipient's signature drawn on the
 * phone, queued through OfflineQueue so that a village without signal loses nothing and
 * replays each distribution exactly once. */
(function () {
  "use strict";

  const app = document.getElementById("distribution-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("distribution-text").textContent);
  const $ = (id) => document.getElementById(id);
  const form = $("form-distribute");
  const canvas = $("signature");
  const DONE_KEY = `reserves.distribution.${app.dataset.user}.done`;
  let signed = false;

  function say(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = `flash ${kind || ""}`;
    box.hidden = !text;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  function masked(number) {
    return number && number.length > 8 ? number.slice(0, 4) + "*".repeat(number.length - 8) + number.slice(-4) : "";
  }

  // -- the queue --------------------------------------------------------------------------

  const queue = window.OfflineQueue(`distribution.${app.dataset.user}`, {
    onLoggedOut() { $("relogin").hidden = false; },
    onDone(action, data) {
      $("relogin").hidden = true;
      const done = JSON.parse(localStorage.getItem(DONE_KEY) || "[]");
      done.unshift({number: data.number, id: data.id, summary: action.summary});
      localStorage.setItem(DONE_KEY, JSON.stringify(done.slice(0, 20)));
      say(`${T.sent}: ${data.number} · ${action.summary}`, "ok");
    },
    onRefused(action) {
      $("relogin").hidden = true;
      say(`${T.refused}: ${action.summary} · ${action.reason}`, "error");
    },
    onChange: render,
  });

  function render() {
    $("net").textContent = navigator.onLine ? T.online : T.offline;
    $("net").className = `net ${navigator.onLine ? "online" : "offline"}`;
    const items = queue.items();
    $("queue-count").textContent = String(items.length);
    $("queue-list").replaceChildren(...items.map((a) => el("li", {text: `${a.at.slice(5, 16).replace("T", " ")} · ${a.summary}`})));
    $("refused-list").replaceChildren(...queue.refused().map((a) => el("li", {}, [
      el("b", {text: a.summary}), el("br"), el("span", {class: "bad", text: a.reason || ""}),
      a.code === "repeat_distribution" ? el("button", {type: "button", class: "link", text: T.confirm_repeat, onclick: () => {
        queue.dismiss(a.key);
        a.body.confirm_repeat = true;
        queue.enqueue({url: a.url, body: a.body, summary: a.summary, key: a.key, at: a.at});
      }}) : "",
      el("button", {type: "button", class: "link", text: "×", "aria-label": "dismiss", onclick: () => queue.dismiss(a.key)}),
    ])));
    const done = JSON.parse(localStorage.getItem(DONE_KEY) || "[]");
    $("done-list").replaceChildren(...done.map((d) => el("li", {}, [
      el("a", {href: `/distributions/${d.id}`, text: d.number}), ` · ${d.summary}`])));
  }

  // -- the signature pad ---------------------------------------------------------------------

  const pen = canvas.getContext("2d");
  pen.lineWidth = 2.5; pen.lineCap = "round"; pen.strokeStyle = "#111";
  let drawing = false;
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
  }
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true; canvas.setPointerCapture(event.pointerId);
    pen.beginPath(); pen.moveTo(...point(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...point(event)); pen.stroke(); signed = true;
  });
  ["pointerup", "pointercancel"].forEach((name) => canvas.addEventListener(name, () => { drawing = false; }));
  function clearSignature() { pen.clearRect(0, 0, canvas.width, canvas.height); signed = false; }

  // A photo of a signed paper list instead of a signature: scaled down to a JPEG that the
  // server takes (at most 2 MB) and the phone can keep while offline.
  async function photo() {
    const file = $("photo").files[0];
    if (!file) return null;
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const sheet = document.createElement("canvas");
    sheet.width = Math.round(bitmap.width * scale);
    sheet.height = Math.round(bitmap.height * scale);
    sheet.getContext("2d").drawImage(bitmap, 0, 0, sheet.width, sheet.height);
    for (const quality of [0.8, 0.6, 0.4]) {
      const image = sheet.toDataURL("image/jpeg", quality);
      if (image.length < 2.6e6) return image;
    }
    throw new Error("photo too large");
  }
  $("clear-signature").addEventListener("click", clearSignature);

  // -- the form ------------------------------------------------------------------------------

  $("add-line").addEventListener("click", () => {
    const first = $("lines").querySelector(".line");
    const copy = first.cloneNode(true);
    copy.querySelector("[name=quantity]").value = "1";
    $("lines").append(copy);
  });

  function wanted() {
    return Array.from($("lines").querySelectorAll(".line")).map((line) => ({
      item: line.querySelector("[name=item]").value,
      quantity: Number(line.querySelector("[name=quantity]").value),
      label: line.querySelector("[name=item]").selectedOptions[0].textContent,
    }));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const depot = $("depot").value;
    const name = form.elements.name.value.trim();
    const size = Number(form.elements.household_size.value);
    const lines = wanted();
    if (!depot) { say(T.need_depot, "error"); return; }
    if (!name) { say(T.need_name, "error"); return; }
    if (!Number.isInteger(size) || size < 1 || size > 50) { say(T.need_size, "error"); return; }
    if (lines.some((l) => !Number.isInteger(l.quantity) || l.quantity < 1)) { say(T.need_quantity, "error"); return; }
    let image = null;
    try { image = await photo(); } catch (e) { say(T.photo_failed, "error"); return; }
    if (!signed && !image) { say(T.need_signature, "error"); return; }
    const merged = {};
    lines.forEach((l) => { merged[l.item] = (merged[l.item] || 0) + l.quantity; });
    const idNumber = form.elements.id_number.value.trim();
    const body = {
      depot, name, household_size: size,
      phone: form.elements.phone.value.trim() || null,
      id_number: idNumber || null,
      items: Object.entries(merged).map(([item, quantity]) => ({item, quantity})),
      confirmation: image ? {kind: "photo", image} : {kind: "signature", image: canvas.toDataURL("image/png")},
    };
    const summary = `${name} ${masked(idNumber)} · ${lines.map((l) => `${l.label} × ${l.quantity}`).join("，")}`;
    try {
      queue.enqueue({url: "/api/v1/distributions", body, summary});
    } catch (e) {
      say(T.storage_full, "error"); // localStorage is full: nothing was queued, the form stays
      return;
    }
    form.reset();
    $("lines").querySelectorAll(".line:not(:first-child)").forEach((line) => line.remove());
    clearSignature();
    if (!navigator.onLine) say(`${T.queued}: ${summary}`, "warn");
  });

  $("queue-send").addEventListener("click", () => queue.flush());
  render();
  queue.flush();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(app.dataset.sw, {scope: "/distributions/"}).catch(() => {});
  }
}());
