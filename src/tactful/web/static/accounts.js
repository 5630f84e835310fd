// Accounts and their audiences: list, add, and change who sees an account (with a reason,
// kept in its history).
"use strict";
(() => {
  const {api, el, flash, start, $} = window.tactful;
  const KINDS = [["personal", "personal"], ["professional", "professional"], ["brand", "company page"]];
  const AUDIENCES = [["public", "public"], ["connections", "connections"], ["friends", "friends"]];

  function select(id, label, options, value) {
    return [el("label", {for: id, class: "visually-hidden"}, label),
      el("select", {id}, options.map(([v, t]) => el("option", {value: v, selected: v === value}, t)))];
  }

  function row(a) {
    const key = a.name.replace(/[^A-Za-z0-9_-]/g, "_");
    const clients = el("input", {type: "checkbox", id: `clients-${key}`, checked: a.clients_in_audience});
    const save = el("button", {type: "button", onclick: async () => {
      const reason = $("reason").value.trim();
      try {
        await api("PATCH", `/api/accounts/${encodeURIComponent(a.name)}`, {
          kind: $(`kind-${key}`).value, audience: $(`audience-${key}`).value,
          clients_in_audience: clients.checked, reason: reason || null,
        });
        flash($("status"), `Saved ${a.name}.`);
        load();
      } catch (e) { flash($("status"), e.message, true); }
    }}, "Save");
    return el("tr", {},
      el("th", {scope: "row"}, a.name, a.handle ? el("div", {class: "muted"}, "@" + a.handle) : null),
      el("td", {}, a.platform),
      el("td", {}, select(`kind-${key}`, `Kind of ${a.name}`, KINDS, a.kind)),
      el("td", {}, select(`audience-${key}`, `Audience of ${a.name}`, AUDIENCES, a.audience)),
      el("td", {}, el("label", {for: `clients-${key}`, class: "visually-hidden"}, `Clients can see ${a.name}`), clients),
      el("td", {}, save, " ", el("a", {href: `/rules#account=${encodeURIComponent(a.name)}`}, "Rules")));
  }

  async function load() {
    const data = await api("GET", "/api/accounts?limit=200");
    const body = $("accounts");
    body.textContent = "";
    if (!data.items.length) body.append(el("tr", {}, el("td", {colspan: 6}, "No accounts yet: add one below.")));
    for (const a of data.items) body.append(row(a));
  }

  start(async () => {
    $("add").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", "/api/accounts", {
          name: $("name").value.trim(), platform: $("platform").value, kind: $("kind").value,
          audience: $("audience").value, clients_in_audience: $("clients").checked,
          handle: $("handle").value.trim() || null,
        });
        flash($("status"), `Added ${$("name").value}.`);
        $("add").reset();
        load();
      } catch (e) { flash($("status"), e.message, true); }
    });
    await load();
  });
})();
