using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace VPNLens.Web.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class NodeDeletion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Nodes_Name",
                table: "Nodes");

            migrationBuilder.AddColumn<long>(
                name: "DeletedAt",
                table: "Nodes",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Nodes_Name",
                table: "Nodes",
                column: "Name",
                unique: true,
                filter: "\"DeletedAt\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Nodes_Name",
                table: "Nodes");

            migrationBuilder.DropColumn(
                name: "DeletedAt",
                table: "Nodes");

            migrationBuilder.CreateIndex(
                name: "IX_Nodes_Name",
                table: "Nodes",
                column: "Name",
                unique: true);
        }
    }
}
