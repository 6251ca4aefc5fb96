using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Nodes;
using VPNLens.Core.Regressions;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Protocol).HasMaxLength(32);
        builder.Property(a => a.Metric).HasMaxLength(64);
        builder.Property(a => a.Reason).HasMaxLength(2000);
        builder.HasIndex(a => new { a.RecoveredAt, a.OpenedAt });
        builder.HasIndex(a => new { a.NodeId, a.OpenedAt });
        builder.HasOne<Node>().WithMany().HasForeignKey(a => a.NodeId).OnDelete(DeleteBehavior.Cascade);
    }
}
