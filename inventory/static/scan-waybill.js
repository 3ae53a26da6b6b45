/* Waybills on the scan screen: scanning a waybill's QR code (or typing its number) records the
 * load's arrival at the current depot, and so does the first lot of a load with a waybill that
 * is ticked on the incoming tab. Arrivals go through the screen's queue like every other
 * action, stamped with the time of the scan, so they wait on the phone without a signal.
 */
(function () {
  "use strict";

  const screen = window.scanScreen;
  if (!screen || !document.getElementById("tab-incoming")) return;
  const {T, api, enqueue, say, depot, hooks, newest} = screen;
  const WAYBILL = /(\/q\/W-\d|^W-\d+-|^YD-\d{4}-\d+$)/i;
  // transfers of the current depot on the road with a waybill not yet arrived, by id
  let awaiting = {};

  function arrive(code, summary) {
    enqueue({type: "waybill_arrival", url: "/api/v1/waybills/arrivals", summary, body: {code}});
  }

  hooks.scans.push((code) => {
    if (!WAYBILL.test(code.trim())) return false;
    arrive(code.trim(), code.trim());
    return true;
  });

  hooks.tabs.incoming = async () => {
    const current = newest("in-transit");  // a depot switched since makes this answer stale
    const result = await api("GET", `/api/v1/in-transit?depot=${encodeURIComponent(depot())}`).catch(() => null);
    if (!current() || !result || !result.ok) return;
    awaiting = {};
    result.data.filter((load) => load.transfer_id && load.waybill && !load.arrived_at && load.to_depot === depot())
      .forEach((load) => { awaiting[load.transfer_id] = load.waybill.number; });
  };

  hooks.ticked.push((code, row) => {
    const form = row.closest("form[data-transfer]");
    const number = form && awaiting[form.dataset.transfer];
    if (!number) return;
    delete awaiting[form.dataset.transfer];
    arrive(number, number);
  });

  hooks.done.waybill_arrival = (action, data) => {
    say(`${T.arrived}: ${data.number} · ${data.plate}`, "ok");
  };
})();
