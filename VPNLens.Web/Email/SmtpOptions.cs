namespace VPNLens.Web.Email;

public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>The SMTP server; when empty, VPNLens sends no email and says so on each run.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? User { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "VPNLens <vpnlens@localhost>";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
