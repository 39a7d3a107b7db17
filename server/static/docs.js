/* Starts Swagger UI on /openapi.json (its files come from /swagger-ui/, no CDN). */
window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
