using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Nodes;
using VPNLens.Core.Regressions;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class SeriesWatchConfiguration : IEntityTypeConfiguration<SeriesWatch>
{
    public void Configure(EntityTypeBuilder<SeriesWatch> builder)
    {
        builder.HasKey(w => w.Id);
        builder.Ignore(w => w.State);
        builder.Property(w => w.Protocol).HasMaxLength(32);
        builder.Property(w => w.Metric).HasMaxLength(64);
        builder.Property(w => w.SettingsKey).HasMaxLength(RunSettingsFingerprint.Length);
        builder.HasIndex(w => new { w.NodeId, w.Protocol, w.Metric, w.SettingsKey }).IsUnique();
        builder.HasOne<Node>().WithMany().HasForeignKey(w => w.NodeId).OnDelete(DeleteBehavior.Cascade);
    }
}
