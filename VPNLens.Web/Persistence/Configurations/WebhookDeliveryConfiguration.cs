using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Runs;
using VPNLens.Core.Webhooks;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        // The primary key is the webhook-id: a redelivered message cannot be stored twice.
        builder.HasKey(d => d.MessageId);
        builder.Property(d => d.MessageId).HasMaxLength(200);
        builder.Property(d => d.Kind).HasMaxLength(16);
        builder.HasIndex(d => d.RunId);
        builder.HasOne<Run>().WithMany().HasForeignKey(d => d.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
