// The media library: upload, see faces / GPS / identifying metadata and the rights status,
// record rights and releases, and make a copy without the metadata.
"use strict";
(() => {
  const {api, el, flash, when, start, $} = window.tactful;

  function rightsForm(m) {
    const id = (name) => `${name}-${m.id}`;
    const basis = el("select", {id: id("basis")},
      [["own", "my own work"], ["licence", "a licence"], ["permission", "written permission"], ["unknown", "unknown"]]
        .map(([v, t]) => el("option", {value: v, selected: v === m.rights.basis}, t)));
    const field = (name, label, type = "text") => [el("label", {for: id(name)}, label), el("input", {id: id(name), type, maxlength: 500})];
    const form = el("form", {"aria-label": `Rights for ${m.filename}`},
      el("div", {class: "row"}, el("label", {for: id("basis")}, "Rights"), basis),
      el("div", {class: "row"}, field("licence", "Licence"), field("from", "Permission from")),
      el("div", {class: "row"}, field("evidence", "Evidence"), el("button", {type: "submit"}, "Record rights")));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", `/api/media/${m.id}/rights`, {
          basis: basis.value, licence_name: $(id("licence")).value || null,
          permission_from: $(id("from")).value || null, evidence: $(id("evidence")).value || null,
        });
        flash($("status"), `Rights recorded for ${m.filename}.`);
        load();
      } catch (e) { flash($("status"), e.message, true); }
    });
    return form;
  }

  function releaseForm(m) {
    const input = el("input", {id: `person-${m.id}`, type: "text", maxlength: 200, required: true});
    const form = el("form", {class: "row", "aria-label": `Release for ${m.filename}`},
      el("label", {for: `person-${m.id}`}, "Release from"), input, el("button", {type: "submit"}, "Record release"));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await api("POST", `/api/media/${m.id}/releases`, {person: input.value.trim()});
        flash($("status"), `Release from ${input.value} recorded.`);
        load();
      } catch (e) { flash($("status"), e.message, true); }
    });
    return form;
  }

  function card(m) {
    const leaks = m.gps ? [`GPS position ${m.gps[0].toFixed(4)}, ${m.gps[1].toFixed(4)}`] : [];
    for (const f of m.identifying_metadata) if (!(m.gps && f.includes("GPS"))) leaks.push(f);
    const clean = leaks.length && m.file ? el("button", {type: "button", onclick: async () => {
      try {
        const copy = await api("POST", `/api/media/${m.id}/clean`);
        flash($("status"), `Added ${copy.filename}: the same picture without its metadata (rights carried over).`);
        load();
      } catch (e) { flash($("status"), e.message, true); }
    }}, "Make a clean copy") : null;
    return el("article", {class: "card", "aria-label": m.filename},
      m.file ? el("img", {src: `/api/media/${m.id}/file`, alt: m.filename, loading: "lazy"}) : el("p", {class: "muted"}, "(added from the command line; file not kept here)"),
      el("h2", {}, m.filename),
      el("p", {}, el("span", {class: "badge " + m.rights.basis}, "rights: " + m.rights.basis),
        m.rights.licence_name ? ` ${m.rights.licence_name}` : "", m.rights.permission_from ? ` from ${m.rights.permission_from}` : "",
        m.rights.at ? el("span", {class: "muted"}, ` · ${when(m.rights.at)}`) : ""),
      el("p", {}, m.faces ? `${m.faces} face${m.faces > 1 ? "s" : ""}; releases: ${m.releases.join(", ") || "none"}` : "No faces found."),
      leaks.length ? el("ul", {class: "leak", "aria-label": "What the file gives away"}, leaks.map((l) => el("li", {}, l))) : el("p", {class: "muted"}, "No location or identifying metadata."),
      el("div", {class: "row"}, clean, m.file ? el("a", {href: `/api/media/${m.id}/file?download=true`}, "Download") : null),
      el("details", {}, el("summary", {}, "Rights and releases"), rightsForm(m), releaseForm(m)));
  }

  async function load() {
    const data = await api("GET", "/api/media?limit=200");
    const grid = $("library");
    grid.textContent = "";
    if (!data.items.length) grid.append(el("p", {}, "No images yet."));
    for (const m of data.items.reverse()) grid.append(card(m));
  }

  start(async () => {
    $("upload").addEventListener("change", async () => {
      const file = $("upload").files[0];
      if (!file) return;
      flash($("status"), `Checking ${file.name}…`);
      try {
        const m = await api("POST", "/api/media?filename=" + encodeURIComponent(file.name), file);
        flash($("status"), m.added ? `Added ${m.filename}.` : `${m.filename} was already in the library.`);
        load();
      } catch (e) { flash($("status"), e.message, true); }
      $("upload").value = "";
    });
    await load();
  });
})();
