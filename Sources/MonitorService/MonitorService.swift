// MonitorService
