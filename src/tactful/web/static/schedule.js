// The schedule: notices and the worker's state at the top; a form to schedule or edit a post
// with the composer's live check for each chosen account; a post the gate stops shows why,
// with an override (its reason is recorded); the queue as an agenda by day (or by account),
// each post with its deliveries' states, its attempts, and edit, cancel and retry.
"use strict";
(() => {
  const {api, el, flash, when, start, $} = window.tactful;
  const view = window.tactful.check;
  const accounts = new Map();  // name -> account
  const library = new Map();   // sha256 -> media record
  const opened = new Set();    // post ids whose attempts are shown
  const STATES = {
    draft: "draft", scheduled: "scheduled", claimed: "being sent", publishing: "being sent",
    published: "published", needs_attention: "needs attention", failed: "failed", cancelled: "cancelled",
  };
  const EDITABLE = ["draft", "scheduled", "needs_attention", "failed"];
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  let editing = null;  // the post being edited, or null for a new one
  let timer = null, seq = 0, confirming = false, posts = [];

  // ------------------------------------------------------------------ the form

  const key = (s) => s.replace(/[^A-Za-z0-9_-]/g, "_");
  const chosen = () => [...document.querySelectorAll("#accounts input:checked")].map((i) => i.value);
  const images = () => [...document.querySelectorAll("#images input:checked")].map((i) => library.get(i.value));

  function zones() {
    let names = [];
    try { names = Intl.supportedValuesOf("timeZone"); } catch (e) { names = []; }
    for (const z of [here, "UTC"]) if (!names.includes(z)) names = [z, ...names];
    $("zone").append(...names.map((z) => el("option", {value: z}, z)));
    $("zone").value = here;
  }

  function setZone(zone) {
    if (![...$("zone").options].some((o) => o.value === zone)) $("zone").append(el("option", {value: zone}, zone));
    $("zone").value = zone;
  }

  function later() { clearTimeout(timer); timer = setTimeout(checkAll, 200); }

  // The composer's check, once per chosen account: the same findings, highlights and fixes.
  async function checkAll() {
    const text = $("draft").value;
    const mine = ++seq;
    const names = chosen();
    const box = $("checks");
    if (!text.trim() || !names.length) {
      view.highlight($("backdrop"), text, []);
      box.textContent = "";
      if (text.trim()) box.append(el("p", {class: "muted"}, "Choose an account to see how the post reads there."));
      return;
    }
    const media = images().map((m) => m.id);
    let reports;
    try { reports = await Promise.all(names.map((account) => api("POST", "/api/check", {text, account, media}))); }
    catch (e) { if (e.status !== 401) flash($("form-status"), e.message, true); return; }
    if (mine !== seq || $("draft").value !== text) return;  // typed since: the next check paints
    const marks = [];
    let cut = null;
    box.textContent = "";
    names.forEach((name, i) => {
      const report = reports[i];
      marks.push(...view.marksOf(report.findings, null, text.length));
      if (report.length.cut !== null && report.length.cut !== undefined && !$("thread").checked) {
        cut = cut === null ? report.length.cut : Math.min(cut, report.length.cut);
      }
      const badge = el("span", {class: "badge"});
      view.setVerdict(badge, report);
      const over = view.over(report.length);
      const ol = el("ol", {class: "findings", "aria-label": `What could hurt you on ${name}`});
      view.listFindings(ol, report, {onApply: apply});
      const account = accounts.get(name);
      box.append(el("section", {class: "check", "data-account": name, "aria-label": `The check for ${name}`},
        el("h3", {}, name, el("span", {class: "muted"}, account ? account.platform : ""), badge),
        el("div", {class: over ? "counter over" : "counter muted"}, view.lengthText(report.length),
          over ? ($("thread").checked ? ": goes out as a thread" : ": too long for one post") : ""),
        report.findings.length ? ol : el("p", {class: "muted"}, "Nothing found.")));
    });
    if (cut !== null) marks.push([cut, text.length, "over"]);
    view.highlight($("backdrop"), text, marks);
  }

  function apply(finding, suggestion, report) {
    $("draft").value = view.applied(report.text, finding, suggestion);
    $("draft").focus();
    checkAll();
  }

  function gate(done) {
    const box = $("gate");
    box.hidden = !done || !done.problems.length;
    if (box.hidden) return;
    box.classList.toggle("stopped", !done.overridable);
    $("gate-title").firstElementChild.textContent = done.overridable
      ? "Kept as a draft: the check found what could hurt you."
      : "Kept as a draft: the network cannot take it as it is. Change the post.";
    const list = $("problems");
    list.textContent = "";
    for (const p of done.problems) list.append(el("li", {}, el("strong", {}, p.account), ": ", el("code", {}, p.rule_id), " ", p.message));
    $("override-row").hidden = !done.overridable;
  }

  function body() {
    const value = $("when").value;
    return {
      text: $("draft").value,
      accounts: chosen(),
      local_time: value ? value.replace("T", " ") : null,
      zone: $("zone").value,
      occurrence: $("occurrence-row").hidden ? null : ($("occurrence").value || null),
      media: images().map((m) => m.sha256),
      thread: $("thread").checked,
    };
  }

  // An edit sends the time, images and thread only when they changed (a draft's old time
  // may have passed since).
  function changes(b) {
    const out = {text: b.text};
    // Images the library here has no file for (added from the command line) stay on it.
    const media = [...b.media, ...editing.media.filter((sha) => !library.has(sha))];
    if ([...media].sort().join() !== [...editing.media].sort().join()) out.media = media;
    if (b.thread !== editing.thread) out.thread = b.thread;
    const before = editing.local_time || "";
    const now = b.local_time ? b.local_time.replace(" ", "T") : "";
    if (!now && before) out.draft = true;
    else if (now && (now !== before || b.zone !== editing.zone)) {
      out.local_time = b.local_time; out.zone = b.zone; out.occurrence = b.occurrence;
    }
    return out;
  }

  async function submit(override) {
    const status = $("form-status");
    const b = body();
    if (!b.text.trim()) { flash(status, "Write the post first.", true); $("draft").focus(); return; }
    if (!editing && !b.accounts.length) { flash(status, "Choose at least one account.", true); return; }
    try {
      const payload = editing ? changes(b) : b;
      if (override) payload.override = override;
      const done = editing
        ? await api("PATCH", `/api/schedule/${editing.id}`, payload)
        : await api("POST", "/api/schedule", payload);
      answered(done);
    } catch (e) {
      flash(status, e.message, true);
      if (/happens twice/.test(e.message)) { $("occurrence-row").hidden = false; $("occurrence").focus(); }
    }
  }

  function answered(done) {
    const status = $("form-status");
    const note = (done.note ? ` (${done.note})` : "") + (done.warnings || []).map((w) => ` Warning: ${w}.`).join("");
    if (done.state === "scheduled") {
      reset();
      flash(status, done.message + note, (done.warnings || []).length > 0);
    } else {
      edit(done.post, false);
      gate(done);
      flash(status, done.message + note, done.problems.length > 0);
    }
    load();
  }

  function reset() {
    editing = null;
    $("post-form").reset();
    $("zone").value = here;
    $("occurrence-row").hidden = true;
    $("gate").hidden = true;
    $("form-title").textContent = "Schedule a post";
    $("submit").textContent = "Schedule";
    $("accounts-note").hidden = true;
    for (const box of document.querySelectorAll("#accounts input")) box.disabled = false;
    flash($("form-status"), "");
    checkAll();
  }

  // Fill the form with a queued post to change it.
  function edit(post, focus = true) {
    editing = post;
    $("form-title").textContent = `Edit post #${post.id}`;
    $("submit").textContent = "Save changes";
    $("draft").value = post.text;
    const to = new Set(post.deliveries.map((d) => d.account));
    for (const box of document.querySelectorAll("#accounts input")) { box.checked = to.has(box.value); box.disabled = true; }
    $("accounts-note").hidden = false;
    $("when").value = post.local_time || "";
    setZone(post.zone || here);
    $("occurrence-row").hidden = true;
    $("thread").checked = post.thread;
    const media = new Set(post.media);
    for (const box of document.querySelectorAll("#images input")) box.checked = media.has(box.value);
    $("gate").hidden = true;
    $("override").value = "";
    if (focus) {
      flash($("form-status"), "");
      $("post-form").scrollIntoView({block: "start"});
      $("draft").focus();
    }
    checkAll();
  }

  // ------------------------------------------------------------------ the queue

  function dayTitle(day) {
    if (!day) return "No time yet (drafts)";
    const [y, m, d] = day.split("-").map(Number);
    return new Date(y, m - 1, d).toLocaleDateString(undefined, {weekday: "long", day: "numeric", month: "long", year: "numeric"});
  }

  function timeOf(post) {
    if (!post.local_time) return [el("span", {class: "time"}, "no time")];
    const parts = [el("span", {class: "time"}, post.local_time.slice(11, 16)), el("span", {class: "muted"}, post.zone)];
    const at = post.scheduled_at ? new Date(post.scheduled_at) : null;
    const pad = (n) => String(n).padStart(2, "0");
    const yours = at && `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    if (at && yours !== post.local_time.slice(0, 16)) {  // another zone, and another time here
      const shown = at.toLocaleString(undefined, {weekday: "short", hour: "2-digit", minute: "2-digit"});
      parts.push(el("span", {class: "muted"}, `(${shown} your time)`));
    }
    return parts;
  }

  function safeLink(url) {
    return /^https?:\/\//i.test(url || "") ? el("a", {href: url, rel: "noopener noreferrer", target: "_blank"}, "see it") : null;
  }

  function delivery(d) {
    const thread = d.parts.length ? el("span", {class: "muted"}, `thread: ${d.posted}/${d.parts.length} out`) : null;
    return el("li", {"data-account": d.account},
      el("strong", {}, d.account),
      el("span", {class: "badge " + d.state}, STATES[d.state] || d.state),
      d.connected ? null : el("span", {class: "why", title: `tactful accounts connect ${d.account}`}, "not connected: nothing goes out until you connect it"),
      thread, safeLink(d.remote_url),
      d.last_error ? el("span", {class: "why"}, d.last_error) : null);
  }

  function attempts(post, box) {
    box.textContent = "";
    const rows = [];
    for (const d of post.deliveries) for (const a of d.log) rows.push([d.account, a]);
    rows.sort((x, y) => x[1].started_at.localeCompare(y[1].started_at));
    if (!rows.length) { box.append(el("p", {class: "muted"}, "No attempts yet.")); return; }
    box.append(el("div", {class: "table-wrap"}, el("table", {},
      el("thead", {}, el("tr", {}, ["Time", "Account", "Action", "Part", "Outcome", "HTTP", "Detail"].map((h) => el("th", {scope: "col"}, h)))),
      el("tbody", {}, rows.map(([account, a]) => el("tr", {},
        el("td", {}, when(a.started_at)), el("td", {}, account), el("td", {}, a.action), el("td", {}, String(a.part)),
        el("td", {}, a.outcome ? el("span", {class: "badge " + a.outcome}, a.outcome.replace(/_/g, " ")) : "no answer yet"),
        el("td", {}, a.http_status === null ? "" : String(a.http_status)), el("td", {}, a.detail || "")))))));
  }

  async function showAttempts(post, box) {
    try { attempts(await api("GET", `/api/schedule/${post.id}`), box); }
    catch (e) { flash(box, e.message, true); }
  }

  function actions(post) {
    const states = post.deliveries.map((d) => d.state);
    const status = $("queue-status");
    const row = el("div", {class: "row"});
    const act = async (path, done) => {
      try { const r = await api("POST", path); flash(status, done(r)); }
      catch (e) { flash(status, e.message, true); }
      confirming = false;
      load();
    };
    if (states.some((s) => EDITABLE.includes(s)) && !states.some((s) => s === "claimed" || s === "publishing")) {
      row.append(el("button", {type: "button", onclick: () => edit(post)}, `Edit #${post.id}`));
    }
    if (states.some((s) => s === "needs_attention" || s === "failed")) {
      row.append(el("button", {type: "button", onclick: () => act(`/api/schedule/${post.id}/retry`,
        (r) => `#${post.id} queued again for ${r.queued} account(s).`)}, `Try #${post.id} again`));
    }
    // An answer never came back and the account could not be read: the user looks there.
    if (post.deliveries.some((d) => d.state === "needs_attention" && /answer never came back/.test(d.last_error || ""))) {
      row.append(el("button", {type: "button", onclick: () => act(`/api/schedule/${post.id}/retry?not_there=true`,
        (r) => `#${post.id} will be sent again to ${r.queued} account(s) without looking first.`)},
      `I looked: #${post.id} is not there, send it`));
    }
    if (states.some((s) => EDITABLE.includes(s) || s === "claimed")) {
      const cancel = el("button", {type: "button", onclick: () => {
        confirming = true;
        row.replaceChildren(el("span", {}, `Cancel #${post.id}? It will not go out.`),
          el("button", {type: "button", class: "primary", onclick: () => act(`/api/schedule/${post.id}/cancel`,
            (r) => `Cancelled #${post.id} for ${r.cancelled} account(s).`)}, `Yes, cancel #${post.id}`),
          el("button", {type: "button", onclick: () => { confirming = false; render(); }}, "Keep it"));
      }}, `Cancel #${post.id}`);
      row.append(cancel);
    }
    return row;
  }

  function card(post, only) {
    const shown = only ? post.deliveries.filter((d) => d.account === only) : post.deliveries;
    const details = el("details", {open: opened.has(post.id)}, el("summary", {}, "Attempts"));
    const box = el("div", {});
    details.append(box);
    details.addEventListener("toggle", () => {
      if (details.open) { opened.add(post.id); showAttempts(post, box); } else opened.delete(post.id);
    });
    if (details.open) showAttempts(post, box);
    const media = post.media.map((sha) => library.get(sha)).filter(Boolean);
    return el("article", {class: "card post", id: `post-${post.id}`, "aria-label": `Post #${post.id}`},
      el("div", {class: "head"}, timeOf(post), el("span", {class: "muted"}, `#${post.id}`),
        post.thread ? el("span", {class: "badge"}, "thread") : null,
        media.length ? el("span", {class: "muted"}, `${media.length} image${media.length > 1 ? "s" : ""}`) : null),
      el("p", {class: "text"}, post.text),
      el("ul", {class: "deliveries", "aria-label": "Accounts"}, shown.map(delivery)),
      post.override_by ? el("p", {class: "override muted"}, `Let by ${post.override_by} despite the check: “${post.override_reason}”`) : null,
      actions(post), details);
  }

  function byDay(list, only) {
    const days = new Map();
    for (const post of list) {
      const day = post.local_time ? post.local_time.slice(0, 10) : "";
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(post);
    }
    const order = [...days.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)));
    return order.map((day) => [day, days.get(day).map((p) => card(p, only))]);
  }

  function render() {
    const box = $("queue");
    box.textContent = "";
    if (!posts.length) {
      box.append(el("p", {class: "muted"}, $("show-all").checked ? "Nothing has been scheduled yet." : "Nothing is waiting to go out."));
      return;
    }
    if ($("group").value === "account") {
      const names = [...new Set(posts.flatMap((p) => p.deliveries.map((d) => d.account)))].sort();
      for (const name of names) {
        const mine = posts.filter((p) => p.deliveries.some((d) => d.account === name));
        const account = accounts.get(name);
        box.append(el("section", {"aria-label": name}, el("h3", {}, name, account ? el("span", {class: "muted"}, ` · ${account.platform}`) : null),
          byDay(mine, name).flatMap(([day, cards]) => [el("h4", {}, dayTitle(day)), ...cards])));
      }
      return;
    }
    for (const [day, cards] of byDay(posts, null)) box.append(el("section", {"aria-label": dayTitle(day)}, el("h3", {}, dayTitle(day)), cards));
  }

  async function load() {
    try {
      const [queue, notices, worker] = await Promise.all([
        api("GET", "/api/schedule?limit=1000" + ($("show-all").checked ? "&all=1" : "")),
        api("GET", "/api/schedule/notices"),
        api("GET", "/api/schedule/worker"),
      ]);
      posts = queue.items;
      showNotices(notices);
      showWorker(worker);
      if (!confirming) render();
    } catch (e) { flash($("queue-status"), e.message, true); }
  }

  function showNotices(notices) {
    const list = $("notices");
    list.hidden = !notices.length;
    list.replaceChildren(...notices.map((n) => el("li", {}, "⚠ ", n.message, el("span", {class: "muted"}, ` · ${when(n.created_at)}`))));
  }

  function showWorker(w) {
    const out = $("worker");
    if (!w.running) {
      out.textContent = "This server does not publish (started with --no-worker): run tactful worker to send what is due.";
      return;
    }
    const last = w.last_run_at ? `; last run ${new Date(w.last_run_at).toLocaleTimeString()}` : "";
    const failed = w.last_error ? ` Its last run failed: ${w.last_error}.` : "";
    out.textContent = `Publishing is on: this server sends what is due (it looks every ${w.interval_s} s${last}; ${w.tally.published} published since it started).${failed}`;
  }

  // ------------------------------------------------------------------ start

  function pickers() {
    for (const a of accounts.values()) {
      const id = `account-${key(a.name)}`;
      $("accounts").append(el("label", {for: id}, el("input", {id, type: "checkbox", value: a.name, onchange: checkAll}), `${a.name} (${a.platform})`));
    }
    if (!accounts.size) $("accounts").append(el("p", {}, "No accounts yet: ", el("a", {href: "/accounts"}, "add one"), "."));
    for (const m of library.values()) {
      const id = `image-${m.id}`;
      $("images").append(el("label", {for: id}, el("input", {id, type: "checkbox", value: m.sha256, onchange: checkAll}),
        el("img", {src: `/api/media/${m.id}/file`, alt: ""}), m.filename));
    }
    if (!library.size) $("images").append(el("p", {class: "muted"}, "No images in the library: ", el("a", {href: "/media"}, "add some"), "."));
  }

  start(async () => {
    const [found, media] = await Promise.all([api("GET", "/api/accounts?limit=200"), api("GET", "/api/media?limit=200")]);
    for (const a of found.items) accounts.set(a.name, a);
    for (const m of media.items) if (m.file) library.set(m.sha256, m);
    zones();
    pickers();
    $("draft").addEventListener("input", later);
    $("draft").addEventListener("scroll", () => { $("backdrop").scrollTop = $("draft").scrollTop; });
    $("thread").addEventListener("change", checkAll);
    $("post-form").addEventListener("submit", (ev) => { ev.preventDefault(); submit(null); });
    $("override-go").addEventListener("click", () => {
      const why = $("override").value.trim();
      if (!why) { flash($("form-status"), "Say why it should go out anyway: the reason is recorded.", true); $("override").focus(); return; }
      submit(why);
    });
    $("new").addEventListener("click", reset);
    $("group").addEventListener("change", render);
    $("show-all").addEventListener("change", load);
    $("refresh").addEventListener("click", load);
    await load();
    setInterval(() => { if (document.visibilityState === "visible") load(); }, 15000);
  });
})();
