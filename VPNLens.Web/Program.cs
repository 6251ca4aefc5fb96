using Hangfire;
using VPNLens.Web.Alerts;
using VPNLens.Web.Api;
using VPNLens.Web.History;
using VPNLens.Web.Hosting;
using VPNLens.Web.Monitoring;
using VPNLens.Web.Notifications;
using VPNLens.Web.Persistence;
using VPNLens.Web.Schedules;

ThreadPoolFloor.Raise();

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddVpnLensOptions();
builder.Services.AddPersistence(builder.Configuration);
builder.Services.AddPersistentDataProtection(builder.Configuration);
builder.Services.AddVpnLensIdentity();
builder.Services.AddBenchmarkQueue(builder.Configuration);
builder.Services.AddRemoteNodes();
builder.Services.AddVpnLensHealthChecks();
builder.Services.AddKnownProxies(builder.Configuration);
builder.Services.AddProblemDetails();
builder.Services.AddDashboard();
builder.Services.AddLiveRunUpdates();
builder.Services.AddRunEventRelay(builder.Configuration);
builder.Services.AddSchedules();
builder.Services.AddRegressionAlerts();
builder.Services.AddPrometheusMetrics();
builder.Services.AddAlertNotifications();

var app = builder.Build();

await app.Services.MigrateDatabaseAsync();
await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<AdminSeeder>().SeedAsync();
}

app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePagesForPeopleAndClients();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.UseSharedRunPageCache();

app.MapVpnLensHealthChecks();
app.MapRunsApi();
app.MapCompareApi();
app.MapCallbacksApi();
app.MapNodesApi();
app.MapSchedulesApi();
app.MapHistoryApi();
app.MapPrometheusMetrics();
app.MapWebhooksApi();
app.MapHangfireDashboardWithAuthorizationPolicy(Authorization.SignedInAdminPolicy, "/hangfire", new DashboardOptions { Authorization = [], AppPath = "/" });
app.MapLiveRunUpdates();
app.MapDashboard();

await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
