// The registry every variation point uses (common/registry.h): registration order, fresh objects
// per make(), the uniform unknown-name error, and duplicate names as a bug.
#include "systole/common/registry.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace systole {
namespace {

struct Shape2 {
  virtual ~Shape2() = default;
  virtual double area() const = 0;
};
struct Square : Shape2 {
  explicit Square(double s) : side(s) {}
  double area() const override { return side * side; }
  double side;
};
struct Disc : Shape2 {
  explicit Disc(double r) : radius(r) {}
  double area() const override { return 3.0 * radius * radius; }
  double radius;
};

Registry<Shape2, double> shapes() {
  Registry<Shape2, double> r("shape");
  r.add("square", [](double x) { return std::make_unique<Square>(x); });
  r.add("disc", [](double x) { return std::make_unique<Disc>(x); });
  return r;
}

TEST(Registry, MakesTheNamedVariantWithItsArguments) {
  const auto r = shapes();
  EXPECT_DOUBLE_EQ(r.make("square", 3.0)->area(), 9.0);
  EXPECT_DOUBLE_EQ(r.make("disc", 2.0)->area(), 12.0);
  // A fresh object every time.
  EXPECT_NE(r.make("square", 1.0).get(), r.make("square", 1.0).get());
  EXPECT_TRUE(r.contains("disc"));
  EXPECT_FALSE(r.contains("Disc"));
  EXPECT_EQ(r.names(), (std::vector<std::string>{"square", "disc"}));
}

TEST(Registry, UnknownNameIsAUserErrorListingTheRegisteredOnes) {
  const auto r = shapes();
  try {
    r.make("triangle", 1.0);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_STREQ(e.what(), "unknown shape 'triangle'; registered: square, disc");
    EXPECT_NE(dynamic_cast<const UnknownVariant*>(&e), nullptr);
  }
}

TEST(Registry, ANameRegisteredTwiceIsABug) {
  auto r = shapes();
  EXPECT_THROW(r.add("disc", [](double x) { return std::make_unique<Disc>(x); }), InternalError);
  EXPECT_EQ(r.names().size(), 2u);
}

}  // namespace
}  // namespace systole
