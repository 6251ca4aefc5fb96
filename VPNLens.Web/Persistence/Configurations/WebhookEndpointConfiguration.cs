using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Webhooks;
using VPNLens.Web.Notifications;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Name).HasMaxLength(WebhookEndpointRules.MaxNameLength);
        builder.Property(e => e.Url).HasMaxLength(WebhookEndpointRules.MaxUrlLength);
        builder.Property(e => e.Secret).HasMaxLength(1000);
        builder.HasIndex(e => e.CreatedAt);
    }
}
