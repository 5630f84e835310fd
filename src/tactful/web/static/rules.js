// Rules and policy: every rule's effect for an account, and the account's own overrides
// (off, on, or a severity), saved as its policy's last layer.
"use strict";
(() => {
  const {api, el, flash, start, $} = window.tactful;
  const CHOICES = [["", "as the defaults say"], ["off", "off"], ["info", "info"], ["warn", "warn"], ["block", "block"]];
  let titles = new Map();

  function effect(r) {
    if (!r.enabled) return r.floor ? `off, but never below ${r.floor}` : "off";
    return r.severity ? `raised as ${r.severity}` : "on" + (r.floor ? `, at least ${r.floor}` : "");
  }

  async function save(account, rules) {
    const overrides = {};
    for (const r of rules) {
      const v = $(`choice-${r.id}`).value;
      if (v) overrides[r.id] = v;
    }
    try {
      const data = await api("PUT", `/api/accounts/${encodeURIComponent(account)}/policy`, {rules: overrides});
      flash($("status"), `Saved the rules for ${account}.`);
      render(account, data);
    } catch (e) { flash($("status"), e.message, true); }
  }

  function render(account, data) {
    $("layers").textContent = "Layers: " + data.layers.join(" → ");
    const body = $("rules");
    body.textContent = "";
    for (const r of data.rules) {
      const choice = el("select", {id: `choice-${r.id}`, onchange: () => save(account, data.rules)},
        CHOICES.map(([v, t]) => el("option", {value: v, selected: (r.override || "") === v}, t)));
      body.append(el("tr", {},
        el("th", {scope: "row"}, el("code", {}, r.id)),
        el("td", {}, r.title, el("div", {class: "why"}, titles.get(r.id) || "")),
        el("td", {id: `effect-${r.id}`}, effect(r)),
        el("td", {}, el("label", {for: `choice-${r.id}`, class: "visually-hidden"}, `${r.id} for ${account}`), choice)));
    }
  }

  async function load() {
    const account = $("account").value;
    if (!account) return;
    render(account, await api("GET", "/api/policy?account=" + encodeURIComponent(account)));
  }

  start(async (params) => {
    const rules = await api("GET", "/api/rules");
    titles = new Map(rules.map((r) => [r.id, r.catches]));
    const accounts = await api("GET", "/api/accounts?limit=200");
    if (!accounts.items.length) { flash($("status"), "Add an account first (Accounts page): rules are chosen per account.", true); return; }
    for (const a of accounts.items) $("account").append(el("option", {value: a.name}, `${a.name} (${a.platform}, ${a.kind})`));
    if (params.get("account")) $("account").value = params.get("account");
    $("account").addEventListener("change", load);
    await load();
  });
})();
