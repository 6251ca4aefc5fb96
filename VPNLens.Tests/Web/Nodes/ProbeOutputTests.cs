using VPNLens.Tests.Infrastructure;
using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Nodes;

/// <summary>The probe's output: where each tool is, and whether the node has IPv6.</summary>
public sealed class ProbeOutputTests
{
    [Theory]
    [InlineData("ipv6=on\n", true)]
    [InlineData("ipv6=off\n", false)]
    [InlineData("", null)]
    [InlineData("ipv6=maybe\n", null)]
    public void The_ipv6_line_says_whether_the_node_has_it_and_is_no_tool(string ipv6Line, bool? expected)
    {
        var (tools, ipv6) = ProbeOutput.Parse("bash=/usr/bin/bash\nnebula=\r\n" + ipv6Line);

        Assert.Equal(expected, ipv6);
        Assert.Equal(["bash", "nebula"], tools.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/usr/bin/bash", tools["bash"]);
        Assert.Null(tools["nebula"]);
    }

    [Fact]
    public async Task The_probe_command_run_by_sh_ends_with_the_ipv6_line_of_this_machine()
    {
        var output = await ProcessRunner.RunAsync("sh", "-c", RemoteCommands.ProbeTools);
        var on = File.Exists("/proc/net/if_inet6")
            && File.ReadAllText("/proc/sys/net/ipv6/conf/all/disable_ipv6").Trim() == "0";

        var (tools, ipv6) = ProbeOutput.Parse(output);

        Assert.Equal(on, ipv6);
        Assert.NotNull(tools["bash"]);
        Assert.False(tools.ContainsKey(ProbeOutput.Ipv6Key));
    }
}
