using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Regressions;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class AlertNotificationConfiguration : IEntityTypeConfiguration<AlertNotification>
{
    public void Configure(EntityTypeBuilder<AlertNotification> builder)
    {
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Kind).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(n => new { n.AlertId, n.Kind }).IsUnique();
        builder.Property(n => n.MessageId).HasMaxLength(64);
        builder.Property(n => n.Type).HasMaxLength(32);
        builder.Property(n => n.EmailTo).HasMaxLength(320);
        builder.Property(n => n.Subject).HasMaxLength(500);
        builder.HasOne<Alert>().WithMany().HasForeignKey(n => n.AlertId).OnDelete(DeleteBehavior.Cascade);
    }
}
