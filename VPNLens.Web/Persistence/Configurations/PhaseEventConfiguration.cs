using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Phases;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class PhaseEventConfiguration : IEntityTypeConfiguration<PhaseEvent>
{
    public void Configure(EntityTypeBuilder<PhaseEvent> builder)
    {
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Protocol).HasMaxLength(32);
        builder.Property(e => e.Phase).HasMaxLength(32);
        builder.Property(e => e.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(e => e.Detail).HasMaxLength(4000);
        builder.Ignore(e => e.Duration);
        builder.HasIndex(e => new { e.RunId, e.Id });
        builder.HasOne<Run>().WithMany().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
