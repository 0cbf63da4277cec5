#include "adapter/fhir/model.h"

#include <gtest/gtest.h>

#include "tests/unit/fhir/model_fixture.h"

namespace workwell::fhir {
namespace {

using ModelTest = ModelFixture;

TEST_F(ModelTest, KnowsEveryR4ResourceAndItsElementOrder) {
  EXPECT_EQ(model()->ResourceNames().size(), 147u);  // concrete resource types in R4 4.0.1 profiles-resources.json
  const TypeInfo* patient = model()->FindResource("Patient");
  ASSERT_NE(patient, nullptr);
  ASSERT_GE(patient->elements.size(), 10u);
  EXPECT_EQ(patient->elements[0].name, "id");
  EXPECT_EQ(patient->elements[1].name, "meta");
  const ElementInfo* name = patient->FindElement("name");
  ASSERT_NE(name, nullptr);
  EXPECT_TRUE(name->is_array);
  EXPECT_EQ(name->types[0]->name, "HumanName");
  EXPECT_TRUE(patient->IsA(model()->resource_base()));
  EXPECT_EQ(model()->FindResource("DomainResource"), nullptr);  // abstract
}

TEST_F(ModelTest, ExpandsChoiceElementsIntoJsonNames) {
  const TypeInfo* obs = model()->FindResource("Observation");
  const JsonBinding* b = obs->FindJson("valueQuantity");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->element->is_choice);
  EXPECT_EQ(b->type->name, "Quantity");
  EXPECT_EQ(obs->FindJson("value"), nullptr);
  EXPECT_NE(obs->FindJson("valueCodeableConcept"), nullptr);
}

TEST_F(ModelTest, ResolvesBackbonesAndContentReferences) {
  const TypeInfo* q = model()->FindResource("Questionnaire");
  const ElementInfo* item = q->FindElement("item");
  ASSERT_NE(item, nullptr);
  const TypeInfo* item_type = item->types[0];
  EXPECT_EQ(item_type->name, "Questionnaire.item");
  const ElementInfo* nested = item_type->FindElement("item");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->types[0], item_type);  // contentReference #Questionnaire.item
}

TEST_F(ModelTest, DistinguishesSystemStringElements) {
  const TypeInfo* ext = model()->FindType("Extension");
  EXPECT_EQ(*ext->FindJson("url")->type->primitive, PrimitiveType::kUri);
  EXPECT_FALSE(ext->FindJson("url")->type->allows_extensions);
  EXPECT_EQ(*model()->FindResource("Patient")->FindJson("id")->type->primitive, PrimitiveType::kId);
  EXPECT_TRUE(model()->FindType("Age")->IsA(model()->FindType("Quantity")));
}

TEST(ModelLoadTest, ReportsAMissingDirectory) {
  auto r = Model::LoadFromDirectory("/nonexistent-dir");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent-dir"), std::string::npos);
}

}  // namespace
}  // namespace workwell::fhir
