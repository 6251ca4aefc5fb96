using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace VPNLens.Web.Email;

public sealed class MailKitEmailSender(IOptions<SmtpOptions> options) : IEmailSender
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Host);

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var settings = options.Value;
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(settings.From));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();

        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        var security = settings.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        var server = $"{settings.Host}:{settings.Port}";
        try
        {
            await client.ConnectAsync(settings.Host!, settings.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.User))
            {
                await client.AuthenticateAsync(settings.User, settings.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException ex)
        {
            var what = ex.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted => $"refused the recipient {message.To}",
                SmtpErrorCode.SenderNotAccepted => $"refused the sender {settings.From}",
                _ => "refused the message",
            };
            throw new EmailDeliveryException($"The mail server {server} {what}: {(int)ex.StatusCode} {ex.Message}", ex);
        }
        catch (AuthenticationException ex)
        {
            throw new EmailDeliveryException($"The mail server {server} refused the SMTP credentials of {settings.User}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or SslHandshakeException)
        {
            throw new EmailDeliveryException($"Cannot talk to the mail server {server}: {ex.Message}", ex);
        }
    }
}

/// <summary>An email could not be delivered; the message says what the mail server did, for the run page.</summary>
public sealed class EmailDeliveryException(string message, Exception inner) : Exception(message, inner);
