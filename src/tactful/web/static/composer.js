// The composer: checks the draft as you type (debounced), highlights the words in place,
// lists why and the fixes, and applies a fix in one click. Talks only to this server.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let csrf = sessionStorage.getItem("tactful-csrf") || "";
  let timer = null;
  let seq = 0;

  async function signIn(token) {
    const r = await fetch("/session", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({token}), credentials: "same-origin",
    });
    if (!r.ok) throw new Error((await r.json()).detail || "sign-in failed");
    csrf = (await r.json()).csrf_token;
    sessionStorage.setItem("tactful-csrf", csrf);
  }

  function show(signedIn) {
    $("signin").hidden = signedIn;
    $("composer").hidden = !signedIn;
    if (signedIn) $("draft").focus(); else $("token").focus();
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  function paint(text, findings) {
    const marks = [];
    for (const f of findings) for (const [s, e] of f.spans) marks.push([s, e, f.severity]);
    marks.sort((a, b) => a[0] - b[0]);
    let html = "", pos = 0;
    for (const [s, e, sev] of marks) {
      if (s < pos || e <= s) continue;
      html += escapeHtml(text.slice(pos, s)) + `<mark class="${sev}">` + escapeHtml(text.slice(s, e)) + "</mark>";
      pos = e;
    }
    $("backdrop").innerHTML = html + escapeHtml(text.slice(pos)) + "\n";
  }

  function list(report) {
    const ol = $("findings");
    ol.textContent = "";
    for (const f of report.findings) {
      const li = document.createElement("li");
      li.className = f.severity;
      li.tabIndex = 0;
      const words = f.spans.map(([s, e]) => report.text.slice(s, e)).join(" … ");
      li.innerHTML = `<strong>${escapeHtml(f.severity.toUpperCase())}</strong> ` +
        `<code>${escapeHtml(f.rule_id)}</code> ${escapeHtml(f.message)}` +
        (words ? ` — “${escapeHtml(words)}”` : "") +
        `<div class="why">${escapeHtml(f.explanation)}</div>`;
      for (const s of f.suggestions) {
        if (s.replacement === null || s.replacement === undefined || !f.spans.length && s.action !== "message") {
          const p = document.createElement("div");
          p.className = "why";
          p.textContent = "Fix: " + s.description;
          li.appendChild(p);
          continue;
        }
        const b = document.createElement("button");
        b.type = "button";
        b.className = "fix";
        b.textContent = s.action === "message" ? "Copy: " + s.description : "Apply: " + s.description;
        b.addEventListener("click", () => apply(f, s, report));
        li.appendChild(b);
      }
      ol.appendChild(li);
    }
    const badge = $("verdict");
    badge.textContent = {ok: "OK to publish", review: "review before publishing", blocked: "do not publish"}[report.verdict];
    badge.className = "badge " + report.verdict;
  }

  function apply(finding, suggestion, report) {
    const draft = $("draft");
    if (suggestion.action === "message") {
      navigator.clipboard && navigator.clipboard.writeText(suggestion.replacement);
      return;
    }
    // A whole-post replacement (the untagged version), or the words of the first span.
    if (suggestion.action === "replace" && !finding.spans.length || suggestion.replacement.length > report.text.length / 2) {
      draft.value = suggestion.replacement;
    } else {
      const [s, e] = finding.spans[0];
      draft.value = report.text.slice(0, s) + suggestion.replacement + report.text.slice(e);
    }
    check();
  }

  async function check() {
    const text = $("draft").value;
    const mine = ++seq;
    if (!text.trim()) { paint("", []); $("findings").textContent = ""; $("verdict").textContent = "empty"; return; }
    const r = await fetch("/api/check", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify({text, platform: $("platform").value, account_kind: $("kind").value}),
    });
    if (r.status === 401) { show(false); return; }
    if (!r.ok || mine !== seq) return;
    const report = await r.json();
    if ($("draft").value !== text) return;  // typed since: the next check paints
    paint(text, report.findings);
    list(report);
    const chars = [...text].length;
    $("count").textContent = `${chars} characters`;
  }

  function later() { clearTimeout(timer); timer = setTimeout(check, 250); }

  $("draft").addEventListener("input", later);
  $("draft").addEventListener("scroll", () => { $("backdrop").scrollTop = $("draft").scrollTop; });
  $("platform").addEventListener("change", check);
  $("kind").addEventListener("change", check);
  $("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try { await signIn($("token").value); show(true); } catch (e) { $("signin-error").textContent = e.message; }
  });

  (async () => {
    // A link of the form /#token=…&text=… signs in and fills the draft (handy for demos and
    // the end-to-end test); the fragment never reaches any server log.
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("token")) {
      try { await signIn(params.get("token")); } catch (e) { $("signin-error").textContent = e.message; }
      history.replaceState(null, "", location.pathname);
    }
    const probe = await fetch("/api/rules", {credentials: "same-origin"});
    show(probe.ok);
    if (probe.ok && params.get("text")) {
      $("draft").value = params.get("text");
      if (params.get("kind")) $("kind").value = params.get("kind");
      await check();
    }
  })();
})();
