using VPNLens.Web.Nodes;

namespace VPNLens.Tests.Web.Nodes;

public sealed class NodeInputTests : IDisposable
{
    private const string Fingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
    private static readonly string[] KnownEndpoints = [VPNLens.Core.Runs.RunResources.ControlPlaneEndpoint];
    private readonly string keyFile = Path.GetTempFileName();

    public void Dispose() => File.Delete(keyFile);

    [Theory]
    [InlineData("$(touch${IFS}/tmp/x)")]
    [InlineData("root;id")]
    [InlineData("`id`")]
    [InlineData("-oProxyCommand=id")]
    [InlineData("ro ot")]
    [InlineData("root@evil")]
    [InlineData("a-user-name-that-is-far-too-long-for-linux")]
    public void A_user_that_is_not_a_posix_user_name_is_refused(string user)
    {
        var errors = Input(user: user).Validate(KnownEndpoints);

        Assert.Equal(["user"], errors.Keys);
    }

    [Theory]
    [InlineData("$(touch${IFS}/tmp/x)")]
    [InlineData("-oProxyCommand=id")]
    [InlineData("node1;id")]
    [InlineData("node_1.example.com")]
    [InlineData("-node.example.com")]
    [InlineData("node-.example.com")]
    [InlineData("198.18.0.2:22")]
    [InlineData("user@198.18.0.2")]
    public void A_host_that_is_not_a_host_name_or_ip_address_is_refused(string host)
    {
        var errors = Input(host: host).Validate(KnownEndpoints);

        Assert.Equal(["host"], errors.Keys);
    }

    [Theory]
    [InlineData("root", "198.18.0.2")]
    [InlineData("ubuntu", "node1.example.com")]
    [InlineData("_bench", "::1")]
    [InlineData("ops.user-2", "fd00::2")]
    [InlineData("deploy", "Node-1")]
    public void Ordinary_users_and_hosts_are_accepted(string user, string host)
    {
        Assert.Empty(Input(user: user, host: host).Validate(KnownEndpoints));
    }

    private NodeInput Input(string user = "root", string host = "198.18.0.2") => new("node1", host, 22, user, Fingerprint, keyFile);
}
