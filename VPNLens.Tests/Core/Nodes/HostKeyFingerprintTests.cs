using VPNLens.Core.Nodes;

namespace VPNLens.Tests.Core.Nodes;

public sealed class HostKeyFingerprintTests
{
    [Fact]
    public void Of_matches_openssh_notation()
    {
        // sha256 of the empty blob, as ssh-keygen would print it.
        Assert.Equal("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", HostKeyFingerprint.Of([]));
    }

    [Theory]
    [InlineData("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", true)]
    [InlineData("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", false)]
    [InlineData("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF", false)]
    [InlineData("MD5:aa:bb", false)]
    [InlineData(null, false)]
    public void IsValid_accepts_only_sha256_fingerprints(string? fingerprint, bool valid) =>
        Assert.Equal(valid, HostKeyFingerprint.IsValid(fingerprint));

    [Fact]
    public void Matches_is_exact() =>
        Assert.False(HostKeyFingerprint.Matches("SHA256:abc", "SHA256:abd"));
}
