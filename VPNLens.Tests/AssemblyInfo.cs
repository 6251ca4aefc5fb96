// VPNLens benchmarks Linux nodes from a Linux control plane; its tests start Linux daemons.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
