using VPNLens.Bench;

// One subcommand per measurement the shell suite cannot make with curl and wrk. Each prints one JSON
// object on stdout and exits 0; a measurement that could not be made exits 1 with the reason on stderr.
return await Cli.RunAsync(args);
