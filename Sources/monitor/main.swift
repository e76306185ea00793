// The `monitor` executable only hands the arguments to MonitorCLI.
import MonitorCLI

await MonitorCLI.main()
