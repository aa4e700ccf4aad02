/* 照应 — the district admin in the app. Their home is the district at a glance (district.js);
 * from it they reach the staff screens (staff.js: exceptions, alerts, the dashboard), coverage
 * (coverage.js) and the report centre (reports.js), which the server fills with the whole
 * district instead of one township. */
(function () {
  App.role('district_admin', { home: '#/district' });
})();
