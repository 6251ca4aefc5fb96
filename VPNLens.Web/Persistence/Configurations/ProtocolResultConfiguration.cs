using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using VPNLens.Core.Results;
using VPNLens.Core.Runs;

namespace VPNLens.Web.Persistence.Configurations;

internal sealed class ProtocolResultConfiguration : IEntityTypeConfiguration<ProtocolResult>
{
    public void Configure(EntityTypeBuilder<ProtocolResult> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Protocol).HasMaxLength(32);
        builder.Property(r => r.ErrorPhase).HasMaxLength(32);
        builder.Property(r => r.ErrorMessage).HasMaxLength(4000);
        builder.HasIndex(r => new { r.RunId, r.Protocol }).IsUnique();
        builder.HasOne<Run>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
