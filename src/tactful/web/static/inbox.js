// The Inbox page: items by priority with filters per account and class, one item's findings
// and suggested action, a reply checked live by the composer's check (check.js) against
// POST /api/inbox/{id}/reply/check, hide/mute/block/report, done, undo, trying a failed or
// unclear answer again, and evidence export.
"use strict";
(() => {
  const {api, el, flash, when, start, $} = window.tactful;
  const view = window.tactful.check;
  let current = null, timer = null, seq = 0, last = null;

  function excerpt(text) {
    const flat = text.split(/\s+/).join(" ");
    return flat.length > 140 ? flat.slice(0, 139) + "…" : flat;
  }

  function severityOf(item) {
    const rank = {threat: "block", harassment: "block", hate: "block", trolling: "warn", spam: "warn", complaint: "warn"};
    return item.whereabouts ? "block" : (rank[item.category] || "info");
  }

  let listSeq = 0;
  async function loadList() {
    const mine = ++listSeq;
    const params = new URLSearchParams();
    if ($("filter-account").value) params.set("account", $("filter-account").value);
    if ($("filter-class").value) params.set("class", $("filter-class").value);
    if ($("filter-done").checked) params.set("include_done", "true");
    const data = await api("GET", "/api/inbox?" + params);
    // Two filter changes in a row send two requests; an older answer that arrives last must
    // not paint over the newer one.
    if (mine !== listSeq) return;
    fillFilters(data);
    const ol = $("items");
    ol.textContent = "";
    for (const item of data.items) {
      const li = el("li", {class: `inbox-item ${severityOf(item)}`, tabindex: 0, "data-id": item.id, "data-class": item.category || "",
        onclick: () => open(item.id), onkeydown: (ev) => { if (ev.key === "Enter") open(item.id); }},
        el("span", {class: "badge " + (item.category || "none")}, item.category || "not sorted"), " ",
        item.whereabouts ? [el("strong", {class: "where"}, "WHERE YOU ARE"), " "] : "",
        el("span", {class: "muted"}, `${item.account} · ${item.author_handle || "?"} · ${when(item.created_at)}`),
        item.done_at ? el("span", {class: "muted"}, " · done") : "",
        el("div", {}, excerpt(item.text)));
      ol.append(li);
    }
    flash($("list-status"), data.total ? `${data.total} item${data.total === 1 ? "" : "s"}` : "Nothing here. The worker brings new items in every few minutes.");
  }

  function fillFilters(data) {
    const account = $("filter-account"), klass = $("filter-class");
    if (account.options.length === 1) for (const name of data.accounts) account.append(el("option", {value: name}, name));
    const chosen = klass.value;
    klass.textContent = "";
    klass.append(el("option", {value: ""}, "all"));
    for (const c of data.classes) klass.append(el("option", {value: c}, `${c} (${data.counts[c]})`));
    klass.value = chosen;
  }

  async function syncStatus() {
    const s = await api("GET", "/api/inbox/sync");
    if (!s.enabled) { $("sync-status").textContent = "This server does not sync the inbox (tactful inbox sync brings it in)."; return; }
    const st = s.status;
    const synced = st.synced.map((o) => o.line).join("; ");
    $("sync-status").textContent = st.last_run_at
      ? `Last sync ${when(st.last_run_at)}: ${synced || "no connected account"}${st.last_error ? ` — failed: ${st.last_error}` : ""}. Next ${when(st.next_at)}.`
      : `The worker syncs the inbox every ${Math.round(st.interval_s / 60)} min.`;
  }

  async function open(id) {
    const data = await api("GET", `/api/inbox/${id}`);
    current = data;
    const item = data.item, triage = item.triage || {};
    document.querySelectorAll("#items li").forEach((li) => li.classList.toggle("active", li.dataset.id === String(id)));
    $("detail").hidden = false;
    $("detail-title").textContent = `#${item.id} ${item.category || "not sorted yet"} on ${item.account} (${item.network})`;
    $("detail-where").hidden = !triage.whereabouts;
    $("detail-where").textContent = triage.whereabouts || "";
    $("detail-meta").textContent = "";
    $("detail-meta").append(`from ${item.author_handle || "?"} at ${when(item.created_at)} `,
      item.url ? el("a", {href: item.url, rel: "noopener noreferrer", target: "_blank"}, "open on the network") : "");
    const thread = item.thread || [];
    $("detail-thread").hidden = !thread.length;
    $("detail-thread").textContent = thread.map((p) => `in reply to ${p.author || "?"}: ${p.text}`).join("\n");
    $("detail-text").textContent = item.text;
    $("detail-action").textContent = triage.action || "—";
    $("detail-reason").textContent = triage.reason || "";
    const findings = (triage.findings || []).map((f) => ({...f, spans: f.spans || [], suggestions: [], explanation: f.explanation || (f.reading ? `read as ${f.reading} text` : "")}));
    view.listFindings($("detail-findings"), {text: item.text, findings});
    for (const action of ["hide", "mute", "block", "report"]) $(`do-${action}`).disabled = !data.can.includes(action);
    $("do-done").textContent = item.done_at ? "Back in the inbox" : "Done";
    $("hold-back").hidden = !data.hold_back;
    $("hold-back").textContent = data.hold_back || "";
    $("use-draft").hidden = !data.drafted_reply;
    $("draft").value = data.drafted_reply && !data.hold_back ? data.drafted_reply : "";
    $("override").value = "";
    flash($("action-status"), "");
    flash($("reply-status"), "");
    history(data.actions);
    await check();
  }

  function history(actions) {
    const ul = $("history");
    ul.textContent = "";
    if (!actions.length) { ul.append(el("li", {class: "muted"}, "Nothing yet.")); return; }
    for (const a of actions) {
      const undo = a.undoable ? el("button", {type: "button", onclick: async () => {
        try { await api("POST", `/api/inbox/actions/${a.id}/undo`); await open(current.item.id); flash($("action-status"), `${a.action} taken back.`); }
        catch (e) { flash($("action-status"), e.message, true); }
      }}, "Undo") : null;
      // Failed or unclear: the user's call (a reply is looked for first, never posted twice).
      const again = a.retryable ? el("button", {type: "button", class: "retry", onclick: async () => {
        let said, failed = false;
        try { const r = await api("POST", `/api/inbox/actions/${a.id}/retry`); said = `${r.action}: ${r.outcome}`; }
        catch (e) { said = e.message; failed = true; }
        await open(current.item.id);
        flash($("action-status"), said, failed);
      }}, "Try again") : null;
      const look = a.outcome === "unknown" && current.item.url;
      ul.append(el("li", {"data-action": a.action, "data-outcome": a.outcome},
        el("span", {class: "badge " + a.outcome}, `${a.action}: ${a.outcome}`), " ",
        `${when(a.acted_at)} by ${a.actor}`,
        a.override_reason ? ` (let by: ${a.override_reason})` : "",
        a.url && a.outcome === "link" ? [" ", el("a", {href: a.url, rel: "noopener noreferrer", target: "_blank"}, "report form")] : "",
        look ? [" ", el("a", {href: current.item.url, rel: "noopener noreferrer", target: "_blank"}, "look on the network")] : "",
        a.outcome === "sending" ? el("div", {class: "why"}, "No answer from the network yet. If tactful was stopped, the worker's next sync or the next action on this item finds out what happened.") : "",
        a.detail ? el("div", {class: "why"}, a.detail) : "",
        a.undone_at ? el("div", {class: "muted"}, a.outcome === "undoing" ? `being taken back since ${when(a.undone_at)} by ${a.undone_by}` : `undone ${when(a.undone_at)} by ${a.undone_by}`) : "",
        undo, again));
    }
  }

  async function check() {
    const text = $("draft").value;
    const mine = ++seq;
    if (!current || !text.trim()) {
      view.highlight($("backdrop"), "", []); $("findings").textContent = ""; $("verdict").textContent = "empty";
      $("verdict").className = "badge"; $("counter").textContent = ""; $("override-row").hidden = true; last = null; return;
    }
    let result;
    try { result = await api("POST", `/api/inbox/${current.item.id}/reply/check`, {text}); }
    catch (e) { if (e.status !== 401) flash($("reply-status"), e.message, true); return; }
    if (mine !== seq || $("draft").value !== text) return;
    last = result;
    const report = result.report;
    view.highlight($("backdrop"), text, view.marksOf(report.findings, report.length.cut, text.length));
    view.listFindings($("findings"), report, {onApply: (f, s) => { $("draft").value = view.applied(report.text, f, s); check(); }});
    view.setVerdict($("verdict"), report);
    $("counter").textContent = view.lengthText(report.length);
    $("counter").classList.toggle("over", view.over(report.length));
    $("override-row").hidden = !result.blocking.length;
  }

  function later() { clearTimeout(timer); timer = setTimeout(check, 200); }

  async function send() {
    const body = {text: $("draft").value};
    if ($("override").value.trim()) body.override = $("override").value.trim();
    $("send-reply").disabled = true;
    flash($("reply-status"), "Sending…");
    try {
      const r = await api("POST", `/api/inbox/${current.item.id}/reply`, body);
      await open(current.item.id);  // reopening clears the status line: say how it went after
      flash($("reply-status"), r.action.outcome === "done" ? "Sent." : `Not sent: ${r.action.detail}`, r.action.outcome !== "done");
    } catch (e) { flash($("reply-status"), e.message, true); await check(); }
    finally { $("send-reply").disabled = false; }
  }

  async function act(action) {
    let said, failed = false;
    try {
      const a = await api("POST", `/api/inbox/${current.item.id}/${action}`, {});
      said = a.outcome === "link" ? `Report it on the network: ${a.url || "open the item"}. ${a.detail || ""}` : `${action}: ${a.outcome}`;
    } catch (e) { said = e.message; failed = true; }
    await open(current.item.id);  // reopening clears the status line: say how it went after
    flash($("action-status"), said, failed);
  }

  start(async () => {
    for (const action of ["hide", "mute", "block", "report"]) $(`do-${action}`).addEventListener("click", () => act(action));
    $("do-done").addEventListener("click", async () => {
      await api("POST", `/api/inbox/${current.item.id}/done`, {undo: !!current.item.done_at});
      await loadList(); await open(current.item.id);
    });
    $("draft").addEventListener("input", later);
    $("draft").addEventListener("scroll", () => { $("backdrop").scrollTop = $("draft").scrollTop; });
    $("use-draft").addEventListener("click", () => { $("draft").value = current.drafted_reply; check(); });
    $("send-reply").addEventListener("click", send);
    for (const id of ["filter-account", "filter-class", "filter-done"]) $(id).addEventListener("change", loadList);
    await Promise.all([loadList(), syncStatus()]);
  });
})();
