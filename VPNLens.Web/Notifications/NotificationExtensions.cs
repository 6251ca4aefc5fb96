namespace VPNLens.Web.Notifications;

public static class NotificationExtensions
{
    /// <summary>Alert announcements by email and signed outgoing webhooks, with their admin API's services.</summary>
    public static IServiceCollection AddAlertNotifications(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookEndpoints>();
        services.AddTransient<WebhookDeliveryJob>();
        services.AddTransient<AlertNotificationJob>();
        services.AddTransient<AlertEmailJob>();
        return services;
    }
}
