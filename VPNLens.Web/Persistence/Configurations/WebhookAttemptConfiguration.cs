using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Webhooks;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.MessageId).HasMaxLength(64);
        builder.Property(a => a.Type).HasMaxLength(32);
        builder.Property(a => a.Error).HasMaxLength(1000);
        builder.Ignore(a => a.Succeeded);
        builder.HasIndex(a => new { a.EndpointId, a.Id });
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(a => a.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }
}
