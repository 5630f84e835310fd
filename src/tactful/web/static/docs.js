// Swagger UI for /docs. It starts from this file, not from an inline script, so the page keeps
// the app's Content-Security-Policy (scripts from this server only).
"use strict";

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis],
  deepLinking: true,
  // Swagger UI would otherwise send the description to an online validator for its badge.
  validatorUrl: null,
  // "Try it out" from a signed-in browser: the session cookie goes along by itself, and
  // requests that change something need the CSRF token the pages keep.
  requestInterceptor: (request) => {
    const csrf = sessionStorage.getItem("tactful-csrf");
    if (csrf && !["GET", "HEAD"].includes(String(request.method).toUpperCase())) {
      request.headers["X-CSRF-Token"] = csrf;
    }
    return request;
  },
});
