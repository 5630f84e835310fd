// Audits: upload an export (with upload and checking progress), follow the run live, and
// read the report (charts, riskiest posts highlighted) on the page.
"use strict";
(() => {
  const {api, el, flash, when, start, $} = window.tactful;

  function upload(file, query) {
    // XMLHttpRequest, not fetch: it reports upload progress for a large export.
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/audits?" + query);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("X-CSRF-Token", sessionStorage.getItem("tactful-csrf") || "");
      xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) $("progress").value = 100 * ev.loaded / ev.total; };
      xhr.onload = () => {
        let data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(new Error(data.detail || `the server answered ${xhr.status}`));
      };
      xhr.onerror = () => reject(new Error("the upload did not reach the server"));
      xhr.send(file);
    });
  }

  class AuditFailed extends Error {
    constructor(status) { super(status.error || "the audit failed"); this.status = status; }
  }

  async function follow(job) {
    $("progress-label").textContent = "Checking posts…";
    for (;;) {
      const s = await api("GET", `/api/audits/jobs/${job}`);
      if (s.state === "queued") {
        // Audits run one (or --audits-at-once) at a time; this one waits its turn.
        $("progress").value = 0;
        $("progress-label").textContent = `Waiting for its turn: ${s.ahead} ${s.ahead === 1 ? "audit" : "audits"} before it`;
      } else {
        if (s.bytes_total) $("progress").value = 100 * s.bytes_read / s.bytes_total;
        $("progress-label").textContent = `Checking posts… ${s.posts.toLocaleString()} checked, ${s.flagged.toLocaleString()} to act on`;
      }
      if (s.state === "done") return s;
      if (s.state === "failed") throw new AuditFailed(s);
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  async function finish(job) {
    const done = await follow(job);
    flash($("status"), `Audit #${done.run_id} done: ${done.posts.toLocaleString()} posts checked, ${done.flagged.toLocaleString()} to act on.`);
    await runs();
    show(done.run_id);
  }

  function offerRetry(failed) {
    // The upload was kept: try it again (the run resumes) or remove it.
    const again = el("button", {type: "button", onclick: async () => {
      $("retry-box").hidden = true;
      $("progress-box").hidden = false;
      try {
        await api("POST", `/api/audits/jobs/${failed.job}/retry`);
        flash($("status"), `Trying ${failed.filename} again.`);
        await finish(failed.job);
      } catch (e) { failedWith(e); }
      finally { $("progress-box").hidden = true; }
    }}, "Try again");
    const remove = el("button", {type: "button", onclick: async () => {
      await api("DELETE", `/api/audits/jobs/${failed.job}`);
      $("retry-box").hidden = true;
      flash($("status"), `Removed ${failed.filename}.`);
    }}, "Remove the upload");
    $("retry-box").replaceChildren(again, remove);
    $("retry-box").hidden = false;
  }

  function failedWith(e) {
    flash($("status"), e.message, true);
    if (e instanceof AuditFailed && e.status.can_retry) offerRetry(e.status);
  }

  function show(runId) {
    $("report-box").hidden = false;
    $("report-title").textContent = `Report of audit #${runId}`;
    $("report").src = `/api/audits/${runId}/report`;
    $("report-link").href = `/api/audits/${runId}/report`;
    $("report-box").focus();
  }

  async function runs() {
    const data = await api("GET", "/api/audits?limit=50");
    const body = $("runs");
    body.textContent = "";
    if (!data.items.length) body.append(el("tr", {}, el("td", {colspan: 8}, "No audits yet.")));
    for (const r of data.items) {
      body.append(el("tr", {},
        el("td", {}, r.id), el("td", {}, r.source), el("td", {}, r.format),
        el("td", {}, el("span", {class: "badge " + r.status}, r.status)),
        el("td", {}, r.posts.toLocaleString()), el("td", {}, r.flagged.toLocaleString()),
        el("td", {}, when(r.started_at)),
        el("td", {}, el("button", {type: "button", onclick: () => show(r.id)}, `Report #${r.id}`))));
    }
  }

  start(async () => {
    const limits = await api("GET", "/api/audits/limits");
    $("limit").textContent = limits.max;
    const accounts = await api("GET", "/api/accounts?limit=200");
    for (const a of accounts.items) $("account").append(el("option", {value: a.name}, `${a.name} (${a.platform}, ${a.kind})`));
    $("start").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const file = $("archive").files[0];
      if (!file) return;
      if (file.size > limits.max_bytes) { flash($("status"), `${file.name} is larger than this server accepts (${limits.max}); start it with a larger --max-upload-mb`, true); return; }
      const q = new URLSearchParams({filename: file.name});
      for (const key of ["account", "since", "until"]) if ($(key).value) q.set(key, $(key).value);
      const button = ev.submitter || $("start").querySelector("button");
      button.disabled = true;
      $("progress-box").hidden = false;
      $("progress").value = 0;
      $("progress-label").textContent = `Uploading ${file.name}…`;
      flash($("status"), "");
      try {
        $("retry-box").hidden = true;
        const job = await upload(file, q.toString());
        flash($("status"), `Recognised a ${job.format} export; ${job.state === "queued" ? "it is queued" : "checking it now"}.`);
        await finish(job.job);
      } catch (e) { failedWith(e); }
      finally { button.disabled = false; $("progress-box").hidden = true; $("start").reset(); }
    });
    await runs();
  });
})();
