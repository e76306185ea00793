/// Rule files, the expression language, the alert state machine and rule unit tests (DESIGN §7).
enum MonitorRulesNamespace {}
