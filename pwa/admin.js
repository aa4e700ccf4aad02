/* 照应 — the district admin in the app. No screen is theirs alone today: they land on the staff
 * screens (staff.js: exceptions, alerts, coverage, the dashboard), which the server fills with
 * the whole district instead of one township. What only they may do — places, quotas, staff
 * logins, the audit trail — is in the API alone. Their own screens, when they come, go here. */
(function () {
  App.role('district_admin', { home: '#/staff' });
})();
