// MonitorIngest
