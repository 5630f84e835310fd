// The composer: checks the draft as you type (debounced), highlights the words in place,
// explains the finding at the caret, applies a fix in one click, counts characters the way
// the network does, offers the consent message for a tag, and checks attached images.
"use strict";
(() => {
  const {api, el, flash, start, $} = window.tactful;
  const view = window.tactful.check;
  let timer = null, seq = 0, last = null, lastBody = null;
  const attached = [];  // media library records
  const accounts = new Map();

  function paint(text, findings, cut) {
    view.highlight($("backdrop"), text, view.marksOf(findings, cut, text.length));
  }

  function consentBox(finding, message) {
    const handle = (finding.excerpts || [])[0] || "";
    const box = el("textarea", {"aria-label": "Private message asking to tag", readonly: true});
    box.value = message.replacement;
    const status = el("p", {role: "status"});
    const copy = el("button", {type: "button", onclick: async () => {
      box.select();
      try { await navigator.clipboard.writeText(box.value); flash(status, "Copied."); }
      catch (e) { flash(status, "Select the text and copy it (the browser refused the clipboard)."); }
    }}, "Copy message");
    const ask = el("button", {type: "button", class: "primary", onclick: async () => {
      ask.disabled = true;
      try {
        const found = await api("GET", "/api/contacts?search=" + encodeURIComponent(handle));
        if (!found.items.length) throw new Error(`no contact has the handle ${handle}`);
        const platform = last.context.platform === "generic" ? "linkedin" : last.context.platform;
        const r = await api("POST", `/api/contacts/${found.items[0].id}/consent/ask`, {platform});
        box.value = r.draft;
        flash(status, `Recorded: you asked ${r.contact.name} (pending). Send the message, then record the answer on the Contacts page.`);
      } catch (e) { flash(status, e.message, true); ask.disabled = false; }
    }}, "Record that I asked");
    return el("div", {class: "dm"}, el("strong", {}, message.description), box, el("div", {class: "row"}, copy, ask), status);
  }

  function list(report) {
    view.listFindings($("findings"), report, {
      id: (i) => `finding-${i}`,
      onApply: apply,
      suggestion: (f, s) => (s.action === "message" && s.replacement ? consentBox(f, s) : null),
      extra: wrongControl,
    });
    view.setVerdict($("verdict"), report);
  }

  // A blocking finding that rests on exact evidence (a card number, a listed slur), not on
  // a model's score: hiding it needs the user to say they are sure (the API refuses it else).
  function exactEvidence(finding) { return finding.severity === "block" && finding.detector !== "classifier"; }

  // "This is wrong" on a finding: asks why, records it for the account and checks again;
  // from then on the finding is hidden on that account wherever the same words come back.
  function wrongControl(finding) {
    if (!$("account").value) return null;  // feedback is kept per stored account
    const reason = el("input", {type: "text", maxlength: 2000, required: true, placeholder: "e.g. a compliment, not venting", "aria-label": "Why is this finding wrong?"});
    const sure = exactEvidence(finding) ? el("input", {type: "checkbox", required: true}) : null;
    const status = el("span", {role: "status"});
    const open = el("button", {type: "button", class: "wrong-open"}, "This is wrong");
    const form = el("form", {class: "wrong", hidden: true},
      el("label", {}, "Why is it wrong? ", reason),
      sure ? el("label", {class: "sure"}, sure, ` This is exact evidence (${finding.check || finding.rule_id}): I am sure it is harmless`) : null,
      el("div", {class: "row"},
        el("button", {type: "submit", class: "primary"}, "Hide it on this account"),
        el("button", {type: "button", onclick: () => { form.hidden = true; open.hidden = false; }}, "Cancel"),
        status));
    open.addEventListener("click", () => { open.hidden = true; form.hidden = false; reason.focus(); });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const words = finding.spans.length ? (finding.excerpts || []).join(" … ") : (finding.target || null);
      const body = {...lastBody, rule_id: finding.rule_id, words, reason: reason.value, confirm_exact: !!(sure && sure.checked)};
      try {
        const saved = await api("POST", "/api/feedback", body);
        flash($("feedback-status"), `Hidden on ${saved.account} from now on (feedback #${saved.id}); kept with your reason for the next training run.`);
        check();
      } catch (e) { flash(status, e.message, true); }
    });
    return el("div", {class: "feedback"}, open, form);
  }

  // What the account's feedback hides from this post: counted, listed, and one click shows
  // a finding again (the feedback is removed).
  function hiddenNote(report) {
    const box = $("hidden");
    const hidden = (report.suppressed || []).filter((s) => s.feedback);
    box.hidden = !hidden.length;
    box.textContent = "";
    if (!hidden.length) return;
    const n = report.hidden_by_feedback;
    box.append(el("summary", {}, `${n} finding${n === 1 ? "" : "s"} hidden by your feedback`),
      el("ul", {}, hidden.map((s) => el("li", {},
        el("code", {}, s.finding.rule_id), ` “${(s.finding.excerpts || []).join(" … ") || s.finding.target || ""}”: ${s.reason} `,
        el("button", {type: "button", onclick: async () => {
          try { await api("DELETE", `/api/feedback/${s.feedback}`); flash($("feedback-status"), `Feedback #${s.feedback} removed: the finding shows again.`); check(); }
          catch (e) { flash($("feedback-status"), e.message, true); }
        }}, "Show it again")))));
  }

  function counter(length) {
    const c = $("counter");
    c.textContent = view.lengthText(length);
    c.classList.toggle("over", view.over(length));
  }

  function apply(finding, suggestion, report) {
    const draft = $("draft");
    draft.value = view.applied(report.text, finding, suggestion);
    draft.focus();
    check();
  }

  function atCaret() {
    const out = $("at-caret");
    document.querySelectorAll("#findings li.active").forEach((li) => li.classList.remove("active"));
    if (!last) { out.textContent = ""; return; }
    const pos = $("draft").selectionStart;
    const i = last.findings.findIndex((f) => f.spans.some(([s, e]) => pos >= s && pos <= e));
    if (i < 0) { out.textContent = ""; return; }
    const f = last.findings[i];
    $(`finding-${i}`).classList.add("active");
    const fix = f.suggestions.length ? " Fix: " + f.suggestions[0].description : "";
    out.textContent = `${f.message}. ${f.explanation}${fix}`;
  }

  async function check() {
    const text = $("draft").value;
    const mine = ++seq;
    if (!text.trim()) {
      paint("", []); $("findings").textContent = ""; $("hidden").hidden = true; $("verdict").textContent = "empty";
      $("verdict").className = "badge"; $("counter").textContent = ""; last = null; return;
    }
    const body = {text, media: attached.map((m) => m.id)};
    if ($("account").value) body.account = $("account").value;
    else { body.platform = $("platform").value; body.account_kind = $("kind").value; }
    const t0 = performance.now();
    let report;
    try { report = await api("POST", "/api/check", body); }
    catch (e) { if (e.status !== 401) $("at-caret").textContent = e.message; return; }
    if (mine !== seq || $("draft").value !== text) return;  // typed since: the next check paints
    last = report;
    lastBody = body;
    paint(text, report.findings, report.length.cut);
    list(report);
    hiddenNote(report);
    counter(report.length);
    $("timing").textContent = `checked in ${Math.round(performance.now() - t0)} ms`;
    atCaret();
  }

  function later() { clearTimeout(timer); timer = setTimeout(check, 200); }

  function thumb(record) {
    const warnings = [];
    if (record.gps) warnings.push("GPS position in the file");
    else if (record.identifying_metadata.length) warnings.push("identifying metadata: " + record.identifying_metadata.join(", "));
    const faces = record.faces ? `${record.faces} face${record.faces > 1 ? "s" : ""}, ${record.releases.length} release${record.releases.length === 1 ? "" : "s"}` : "no faces found";
    const remove = el("button", {type: "button", onclick: () => { attached.splice(attached.indexOf(record), 1); render(); check(); }}, "Remove");
    const cleanBtn = (record.gps || record.identifying_metadata.length) && record.file
      ? el("button", {type: "button", onclick: async () => {
        try {
          const copy = await api("POST", `/api/media/${record.id}/clean`);
          attached[attached.indexOf(record)] = copy;
          flash($("attach-status"), `Using ${copy.filename}: the same picture without its metadata.`);
          render(); check();
        } catch (e) { flash($("attach-status"), e.message, true); }
      }}, "Use a clean copy") : null;
    return el("figure", {class: "thumb"},
      el("img", {src: `/api/media/${record.id}/file`, alt: `Attached: ${record.filename}`}),
      el("figcaption", {},
        el("div", {}, record.filename),
        el("span", {class: "badge " + record.rights.basis}, "rights: " + record.rights.basis),
        el("div", {}, faces),
        warnings.map((w) => el("div", {class: "leak"}, "⚠ " + w)),
        el("div", {class: "row"}, cleanBtn, remove)));
  }

  function render() {
    const box = $("attachments");
    box.textContent = "";
    for (const record of attached) box.append(thumb(record));
  }

  async function attach(file) {
    const status = $("attach-status");
    flash(status, `Checking ${file.name}…`);
    try {
      const record = await api("POST", "/api/media?filename=" + encodeURIComponent(file.name), file);
      if (!attached.some((m) => m.id === record.id)) attached.push(record);
      flash(status, record.added ? `${record.filename} added to the media library.` : `${record.filename} is already in the media library.`);
      render(); check();
    } catch (e) { flash(status, e.message, true); }
    $("attach").value = "";
  }

  function pickAccount() {
    const account = accounts.get($("account").value);
    $("platform").disabled = $("kind").disabled = !!account;
    if (account) { $("platform").value = account.platform; $("kind").value = account.kind; }
    check();
  }

  start(async (params) => {
    // Listen first: the page shows before the accounts arrive, and what is typed (or chosen)
    // meanwhile is checked as it happens, not lost.
    $("draft").addEventListener("input", later);
    $("draft").addEventListener("scroll", () => { $("backdrop").scrollTop = $("draft").scrollTop; });
    for (const ev of ["click", "keyup", "select"]) $("draft").addEventListener(ev, atCaret);
    $("platform").addEventListener("change", check);
    $("kind").addEventListener("change", check);
    $("account").addEventListener("change", pickAccount);
    $("attach").addEventListener("change", () => { if ($("attach").files[0]) attach($("attach").files[0]); });
    const found = await api("GET", "/api/accounts?limit=200");
    for (const a of found.items) {
      accounts.set(a.name, a);
      $("account").append(el("option", {value: a.name}, `${a.name} (${a.platform}, ${a.kind})`));
    }
    if (params.get("account") && accounts.has(params.get("account"))) { $("account").value = params.get("account"); pickAccount(); }
    if (params.get("kind")) $("kind").value = params.get("kind");
    if (params.get("platform")) $("platform").value = params.get("platform");
    if (params.get("text")) { $("draft").value = params.get("text"); await check(); }
    $("draft").focus();
  });
})();
