// Starts Swagger UI on /api/docs (see server/templates/swagger_ui.html): no inline script.
window.addEventListener('load', function () {
  var el = document.getElementById('swagger-ui-container');
  window.ui = SwaggerUIBundle({ url: el.dataset.specUrl, dom_id: '#swagger-ui-container' });
});
