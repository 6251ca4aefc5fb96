using VPNLens.Core.Runs;

namespace VPNLens.Tests.Core.Runs;

public sealed class RunSettingsFingerprintTests
{
    [Fact]
    public void Equal_settings_share_a_key_and_any_differing_setting_gives_another()
    {
        var key = RunSettingsFingerprint.Of(new RunSettings());

        Assert.Equal(key, RunSettingsFingerprint.Of(new RunSettings { TcpSeconds = 10 }));
        Assert.Equal(RunSettingsFingerprint.Length, key.Length);
        Assert.NotEqual(key, RunSettingsFingerprint.Of(new RunSettings { TcpSeconds = 30 }));
        Assert.NotEqual(key, RunSettingsFingerprint.Of(new RunSettings { PingIntervalSeconds = 0.5 }));
        Assert.NotEqual(key, RunSettingsFingerprint.Of(new RunSettings { IpVersion = 6 }));
    }

    [Fact]
    public void Ipv4_settings_keep_the_key_they_had_before_the_ip_version_existed()
    {
        // SHA-256 of the defaults' JSON as it was hashed without ipVersion, first 16 hex digits
        Assert.Equal("ba4767fcaff1e595", RunSettingsFingerprint.Of(new RunSettings()));
        Assert.Equal(RunSettingsFingerprint.Of(new RunSettings()), RunSettingsFingerprint.Of(new RunSettings { IpVersion = 4 }));
    }
}
