// Starts Swagger UI on /api/docs (a file of its own: the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: holder.dataset.openapi, domNode: holder, deepLinking: true });
});
