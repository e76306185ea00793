// MonitorWindowing
