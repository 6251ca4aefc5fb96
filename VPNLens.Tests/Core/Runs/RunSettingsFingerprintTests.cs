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
    }
}
