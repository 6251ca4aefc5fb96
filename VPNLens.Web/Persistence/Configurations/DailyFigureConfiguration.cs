using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Nodes;
using VPNLens.Core.Results;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class DailyFigureConfiguration : IEntityTypeConfiguration<DailyFigure>
{
    public void Configure(EntityTypeBuilder<DailyFigure> builder)
    {
        // a series' days are one range of the key, oldest first
        builder.HasKey(d => new { d.NodeId, d.Protocol, d.Metric, d.Day });
        builder.Property(d => d.Protocol).HasMaxLength(32);
        builder.Property(d => d.Metric).HasMaxLength(64);
        builder.HasOne<Node>().WithMany().HasForeignKey(d => d.NodeId).OnDelete(DeleteBehavior.Cascade);
    }
}
