/* Start Swagger UI on the API reference page, with the settings the page carries. */
(function () {
  "use strict";
  const container = document.getElementById("swagger-ui-container");
  const config = Object.assign({url: container.dataset.specUrl, dom_id: "#swagger-ui-container"},
                               JSON.parse(container.dataset.config || "{}"));
  window.addEventListener("load", () => { window.ui = window.SwaggerUIBundle(config); });
})();
