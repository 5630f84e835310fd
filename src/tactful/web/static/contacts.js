// Contacts and the consent ledger: find a contact, see every answer they gave (and the
// do-not-tag list), write the private message that asks, and record the answer.
"use strict";
(() => {
  const {api, el, flash, when, start, $} = window.tactful;
  let current = null;

  function handles(c) {
    return (c.handles || []).map((h) => `${h.platform}: @${h.handle}`).join(", ");
  }

  async function load() {
    const q = $("search").value.trim();
    const data = await api("GET", "/api/contacts?limit=200" + (q ? "&search=" + encodeURIComponent(q) : ""));
    const body = $("contacts");
    body.textContent = "";
    if (!data.items.length) body.append(el("tr", {}, el("td", {colspan: 4}, q ? "No contact matches." : "No contacts yet: add one below.")));
    for (const c of data.items) {
      body.append(el("tr", {},
        el("th", {scope: "row"}, c.name, c.organisation ? el("div", {class: "muted"}, c.organisation) : null),
        el("td", {}, c.relation.replace("_", " ")),
        el("td", {}, handles(c)),
        el("td", {}, el("button", {type: "button", onclick: () => open(c.id)}, `Consent of ${c.name}`))));
    }
  }

  async function open(id) {
    const data = await api("GET", `/api/contacts/${id}/consent`);
    current = data.contact;
    $("ledger").hidden = false;
    $("ledger-title").textContent = `Consent ledger: ${current.name}`;
    const body = $("history");
    body.textContent = "";
    if (!data.consent.length) body.append(el("tr", {}, el("td", {colspan: 6}, "Never asked.")));
    for (const e of data.consent) {
      body.append(el("tr", {},
        el("td", {}, when(e.at)),
        el("td", {}, el("span", {class: "badge " + e.status}, e.status)),
        el("td", {}, e.platform || "every network"),
        el("td", {}, e.expires_at ? when(e.expires_at) : ""),
        el("td", {}, [e.evidence, e.reason].filter(Boolean).join(" · ")),
        el("td", {}, e.actor || "")));
    }
    const dnt = data.do_not_tag;
    const active = dnt.length && dnt[dnt.length - 1].on_list;
    $("dnt").textContent = active ? `On the do-not-tag list: ${dnt[dnt.length - 1].reason}` : (dnt.length ? "Was on the do-not-tag list; removed." : "");
    $("draft").hidden = true;
    $("ledger").focus();
  }

  start(async (params) => {
    $("find").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
    $("ask").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        const r = await api("POST", `/api/contacts/${current.id}/consent/ask`, {platform: $("ask-platform").value, again: $("ask-again").checked});
        $("draft").textContent = r.draft;
        $("draft").hidden = false;
        flash($("ledger-status"), "Recorded as pending. Send this message privately, then record the answer.");
        const draft = r.draft;
        await open(current.id);
        $("draft").textContent = draft;
        $("draft").hidden = false;
      } catch (e) { flash($("ledger-status"), e.message, true); }
    });
    $("answer").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const evidence = $("answer-evidence").value.trim() || null;
      const status = $("answer-status").value;
      try {
        await api("POST", `/api/contacts/${current.id}/consent`, {
          status, platform: $("answer-platform").value || null,
          evidence: status === "granted" ? evidence : null, reason: status === "granted" ? null : evidence,
        });
        $("answer-evidence").value = "";
        await open(current.id);
        flash($("ledger-status"), `Recorded: ${status}.`);
      } catch (e) { flash($("ledger-status"), e.message, true); }
    });
    $("add").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const handle = $("handle").value.trim();
      try {
        const c = await api("POST", "/api/contacts", {
          name: $("name").value.trim(), kind: $("kind").value, relation: $("relation").value,
          handles: handle ? {[$("handle-platform").value]: handle} : {},
        });
        flash($("status"), `Added ${c.name}.`);
        $("add").reset();
        load();
      } catch (e) { flash($("status"), e.message, true); }
    });
    if (params.get("search")) $("search").value = params.get("search");
    await load();
  });
})();
