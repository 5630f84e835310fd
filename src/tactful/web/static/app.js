// Shared by every page: the navigation, sign-in with the access token (once per browser
// session), and a small client for this server's API. Nothing here talks to anyone else.
"use strict";
(() => {
  const PAGES = [
    ["/", "Compose"], ["/schedule", "Schedule"], ["/inbox", "Inbox"], ["/accounts", "Accounts"], ["/contacts", "Contacts & consent"],
    ["/media", "Media"], ["/audits", "Audits"], ["/rules", "Rules"], ["/docs", "API"],
  ];
  let csrf = sessionStorage.getItem("tactful-csrf") || "";

  class ApiError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  // el("li", {class: "x", onclick: fn}, "text", child, ...): builds elements without HTML
  // strings, so nothing from the server is ever parsed as markup.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function api(method, path, body, options = {}) {
    const headers = {};
    let payload;
    if (body instanceof Blob) { payload = body; headers["Content-Type"] = "application/octet-stream"; }
    else if (body !== undefined) { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
    if (method !== "GET") headers["X-CSRF-Token"] = csrf;
    const r = await fetch(path, {method, headers, body: payload, credentials: "same-origin", signal: options.signal});
    if (r.status === 401) { signedOut(); throw new ApiError(401, "sign in first"); }
    const data = (r.headers.get("content-type") || "").includes("json") ? await r.json() : await r.text();
    if (!r.ok) throw new ApiError(r.status, (data && data.detail) || r.statusText);
    return data;
  }

  async function signIn(token) {
    const r = await fetch("/session", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({token}), credentials: "same-origin",
    });
    const data = await r.json();
    if (!r.ok) throw new Error(data.detail || "sign-in failed");
    csrf = data.csrf_token;
    sessionStorage.setItem("tactful-csrf", csrf);
  }

  function nav() {
    const here = location.pathname;
    const links = PAGES.map(([href, label]) =>
      el("a", {href, "aria-current": href === here ? "page" : null}, label));
    const header = el("header", {class: "top"},
      el("a", {class: "brand", href: "/"}, "tactful"),
      el("nav", {"aria-label": "Main"}, links));
    document.body.prepend(header);
  }

  function signinForm() {
    const input = el("input", {id: "token", type: "password", autocomplete: "current-password", required: true});
    const error = el("p", {id: "signin-error", class: "error", role: "alert"});
    const form = el("form", {id: "signin", class: "card", hidden: true},
      el("h1", {}, "Sign in"),
      el("p", {class: "muted"}, "tactful runs on this machine. Enter the access token that ",
        el("code", {}, "tactful serve"), " printed when it first started."),
      el("label", {for: "token"}, "Access token"), " ", input, " ",
      el("button", {type: "submit", class: "primary"}, "Sign in"), error);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await signIn(input.value); location.reload(); } catch (e) { error.textContent = e.message; }
    });
    document.querySelector("main").before(form);
    return form;
  }

  function signedOut() {
    document.getElementById("signin").hidden = false;
    document.querySelector("main").hidden = true;
    document.getElementById("token").focus();
  }

  function flash(target, message, isError) {
    target.textContent = message;
    target.className = isError ? "error" : "notice";
    target.setAttribute("role", isError ? "alert" : "status");
  }

  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(undefined, {dateStyle: "medium", timeStyle: "short"});
  }

  async function start(init) {
    nav();
    signinForm();
    // A link of the form /#token=... signs in (tactful serve --demo prints one); the
    // fragment never reaches the server or its logs, and is removed from the address bar.
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.get("token")) {
      try { await signIn(params.get("token")); } catch (e) { document.getElementById("signin-error").textContent = e.message; }
      params.delete("token");
      history.replaceState(null, "", location.pathname + (params.toString() ? "#" + params : ""));
    }
    const probe = await fetch("/api/accounts?limit=1", {credentials: "same-origin"});
    if (!probe.ok) { signedOut(); return; }
    document.querySelector("main").hidden = false;
    await init(params);
  }

  const $ = (id) => document.getElementById(id);

  window.tactful = {api, el, flash, when, start, ApiError, $};
})();
